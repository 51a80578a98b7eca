"""Deployment checks of this project's own settings (``manage.py check --deploy``).

Errors, not warnings: each is a production setup that works on the surface and
fails its users later, so a deployment pipeline running ``check --deploy`` stops.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_proxy_hops(app_configs, **kwargs) -> list[Error]:
    # Behind a proxy every request comes from the proxy's address: with
    # NUM_PROXIES=0 all editors share one address for the admin login lockout (five
    # wrong passwords lock out the real admin) and all clients one API rate limit.
    if settings.SECURE_PROXY_SSL_HEADER and settings.NUM_PROXIES == 0:
        return [
            Error(
                "BEHIND_HTTPS_PROXY is on but NUM_PROXIES is 0: every client has the "
                "proxy's address, so one client's failed logins lock out every "
                "editor and the API rate limit is shared by all.",
                hint="Set NUM_PROXIES to the number of proxies in front that append "
                "the address they saw to X-Forwarded-For (usually 1).",
                id="clinic.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_secret_key_is_set(app_configs, **kwargs) -> list[Error]:
    # The generated key lives in var/ of one machine: every server of a
    # deployment would sign sessions and tokens with a different one, and a new
    # machine logs every editor out.
    if settings.SECRET_KEY_GENERATED:
        return [
            Error(
                "SECRET_KEY is not set: a key was generated into var/secret_key, "
                "which is for the embedded default only.",
                hint="Set SECRET_KEY in the environment (50+ random characters, "
                "the same on every app server).",
                id="clinic.E002",
            )
        ]
    return []
