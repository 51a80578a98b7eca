"""Webhook endpoints, the events of committed changes meant for each, and the
delivery of each event (docs/webhooks.md)."""

from __future__ import annotations

import base64
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from webhooks.outbound import validate_url


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and the base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def type_names() -> list[str]:
    from api.registry import sitemap_types

    return [kind.name for kind in sitemap_types()]


class Endpoint(models.Model):
    url = models.URLField(
        _("URL"),
        max_length=2000,
        validators=[validate_url],
        help_text=_(
            "Where each change is posted, e.g. "
            "https://www.example.com/api/revalidate. https only in production; "
            "an address on a private network is refused."
        ),
    )
    # Shown once, after the endpoint is added; never in a form or a list.
    secret = models.CharField(
        _("secret"), max_length=100, default=new_secret, editable=False
    )
    languages = models.JSONField(
        _("languages"),
        default=list,
        blank=True,
        help_text=_(
            "The languages whose documents it receives; none ticked: every "
            "language. Documents in no language (the API root, the locales) are "
            "always sent."
        ),
    )
    types = models.JSONField(
        _("types"),
        default=list,
        blank=True,
        help_text=_(
            "The content types whose documents it receives, e.g. FAQ items only; "
            "none ticked: every type. A list, the sitemap or another document "
            "that is no single object's is sent when it shows one of them."
        ),
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive endpoints receive nothing.")
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("What it is for, e.g. “Next.js site, production”."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["url", "pk"]

    def __str__(self):
        return self.url

    def clean(self):
        super().clean()
        unknown = set(self.languages or ()) - set(language_codes())
        if unknown:
            raise ValidationError(
                {
                    "languages": _("Unknown languages: {codes}.").format(
                        codes=", ".join(sorted(map(str, unknown)))
                    )
                }
            )
        unknown = set(self.types or ()) - set(type_names())
        if unknown:
            raise ValidationError(
                {
                    "types": _("Unknown types: {names}.").format(
                        names=", ".join(sorted(map(str, unknown)))
                    )
                }
            )


class Event(models.Model):
    """One committed change as sent to one endpoint: the body is written once and
    sent as it is at every attempt, under the same ``webhook_id``."""

    endpoint = models.ForeignKey(
        Endpoint,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("endpoint"),
    )
    # The change's id (publication.changes): what orders an endpoint's events.
    change = models.BigIntegerField(_("change"))
    # The ``webhook-id`` header: stable across retries and "send again", unique even
    # if change ids were ever reused (a database restored from a backup).
    webhook_id = models.CharField(_("webhook id"), max_length=50, unique=True)
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["endpoint", "change", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "change"], name="webhooks_event_unique_change"
            )
        ]

    def __str__(self):
        return _("Change {change}").format(change=self.change)


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    event = models.OneToOneField(
        Event,
        on_delete=models.CASCADE,
        related_name="delivery",
        verbose_name=_("event"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    tries = models.PositiveIntegerField(_("tries"), default=0)
    last_status_code = models.PositiveIntegerField(
        _("last response code"), null=True, blank=True
    )
    last_error = models.TextField(_("last error"), blank=True)
    # When the worker may try it next: a retry's time, or how long the attempt under
    # way holds it (a claim that expires if its worker dies).
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-event__created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "event"], name="webhooks_delivery_status")
        ]

    def __str__(self):
        return str(self.event)
