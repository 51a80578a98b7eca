"""The server's way out to a webhook endpoint, guarded against server-side request
forgery.

A webhook URL is typed by an editor and requested by the server from inside its
network, so it could reach what the public cannot (the database, a cloud metadata
service at 169.254.169.254, an admin port on loopback). The URL is checked when it is
saved, and again at every send: the host is resolved, every address it resolves to
must be public, and the connection goes to the address that was checked, so a DNS
answer that changes between the check and the connection (DNS rebinding) cannot
redirect it. No HTTP client resolves, checks and pins in one call, so the check is
written here; the pinning is urllib3's own: its connection pool is given the
checked IP to connect to and the hostname separately, as the Host header and, for
https, as the SNI name and the name the certificate must carry. Redirects are not
followed, timeouts are bounded and at most ``WEBHOOK_MAX_RESPONSE_BYTES`` of the
response is read.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class Refused(ValueError):
    """A URL or address the server must not send to; the message says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written in the URL, lower case, without brackets
    port: int
    # The path and query to request ("/hooks/clinic?x=1").
    target: str
    # The Host header: the URL's host and port as written.
    netloc: str


@dataclass(frozen=True)
class Outcome:
    # The HTTP status code; None when no response came.
    status: int | None
    # What went wrong ("" on a 2xx): a timeout, a refused address, the status and the
    # start of the response body.
    error: str

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def parse(url: str) -> Target:
    """The parts of ``url`` to connect to; Refused for anything but an http(s) URL
    with a host and no credentials (and http only where ``WEBHOOK_REQUIRE_HTTPS``
    is off)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise Refused(_("The URL is not valid: {error}.").format(error=error)) from None
    if parts.scheme not in ("http", "https"):
        raise Refused(_("The URL must start with https://."))
    if parts.scheme == "http" and settings.WEBHOOK_REQUIRE_HTTPS:
        raise Refused(_("The URL must use https:// (WEBHOOK_REQUIRE_HTTPS is on)."))
    if parts.username is not None or parts.password is not None:
        raise Refused(_("The URL must not contain a user name or password."))
    if not parts.hostname:
        raise Refused(_("The URL must name a host."))
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return Target(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port or (443 if parts.scheme == "https" else 80),
        target=target,
        netloc=parts.netloc,
    )


def forbidden(address: str) -> bool:
    """Whether ``address`` is one a webhook must not reach: loopback, private,
    link-local, multicast, reserved, unspecified or otherwise not global (an IPv6
    address that maps an IPv4 one is judged as that one)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def addresses(target: Target) -> list[str]:
    """The addresses ``target``'s host resolves to, all of them allowed; Refused
    when it does not resolve or one of them is forbidden (unless
    ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES``). Every address is checked, not only the one
    used: a host that resolves to a public and a private address is refused."""
    try:
        infos = socket.getaddrinfo(
            target.host, target.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
    except (OSError, UnicodeError) as error:
        raise Refused(
            _("The host {host} does not resolve: {error}.").format(
                host=target.host, error=error
            )
        ) from None
    found = list(dict.fromkeys(info[4][0] for info in infos))
    if not found:
        raise Refused(_("The host {host} does not resolve.").format(host=target.host))
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        for address in found:
            if forbidden(address):
                raise Refused(
                    _(
                        "The host {host} resolves to {address}, a loopback, "
                        "private or otherwise non-public address."
                    ).format(host=target.host, address=address)
                )
    return found


def validate_url(url: str) -> None:
    """The model field's validator: the checks of a send, at save time."""
    try:
        addresses(parse(url))
    except Refused as error:
        raise ValidationError(str(error), code="refused") from None


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST ``body`` to ``url`` once, to an address checked now, without following
    a redirect; the outcome, never an exception for what the network or the
    receiver does."""
    try:
        target = parse(url)
        address = addresses(target)[0]
    except Refused as error:
        return Outcome(None, str(error))
    timeout = urllib3.Timeout(
        connect=settings.WEBHOOK_CONNECT_TIMEOUT, read=settings.WEBHOOK_READ_TIMEOUT
    )
    options = {"timeout": timeout, "retries": False, "maxsize": 1}
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            target.port,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            **options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, target.port, **options)
    headers = {**headers, "Host": target.netloc}
    try:
        with pool:
            response = pool.urlopen(
                "POST",
                target.target,
                body=body,
                headers=headers,
                redirect=False,
                preload_content=False,
                assert_same_host=False,
            )
            start = b""
            if not 200 <= response.status < 300:
                # The start of a refusal's body says why; a success's is not read
                # (a slow one must not turn it into a timeout).
                with contextlib.suppress(urllib3.exceptions.HTTPError, OSError):
                    start = read_limited(response, settings.WEBHOOK_MAX_RESPONSE_BYTES)
            response.release_conn()
    except urllib3.exceptions.NewConnectionError as error:
        # Before TimeoutError: urllib3 makes a refused connection a subclass of it.
        return Outcome(None, _("Connection failed: {error}").format(error=error))
    except urllib3.exceptions.TimeoutError:
        return Outcome(None, _("Timed out."))
    except urllib3.exceptions.HTTPError as error:
        return Outcome(None, _("Connection failed: {error}").format(error=error))
    except OSError as error:
        return Outcome(None, _("Connection failed: {error}").format(error=error))
    status = response.status
    if 200 <= status < 300:
        return Outcome(status, "")
    text = start.decode("utf-8", "replace").strip()[:500]
    if 300 <= status < 400:
        error = _("Answered {status}, a redirect (not followed) to {location}.").format(
            status=status, location=response.headers.get("Location", "?")
        )
    else:
        error = _("Answered {status}: {text}").format(status=status, text=text)
    return Outcome(status, error)


def read_limited(response, limit: int) -> bytes:
    """At most ``limit`` bytes of ``response``, and only what came within the read
    timeout as a whole: urllib3's read timeout bounds each wait for data, so a
    receiver that trickles a byte at a time would otherwise hold the worker for
    long. ``read1`` returns what has arrived rather than waiting for a full
    chunk."""
    deadline = time.monotonic() + settings.WEBHOOK_READ_TIMEOUT
    data = b""
    while len(data) < limit and time.monotonic() < deadline:
        chunk = response.read1(limit - len(data))
        if not chunk:
            break
        data += chunk
    return data
