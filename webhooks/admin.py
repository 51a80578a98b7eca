from functools import partial

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from webhooks import models
from webhooks.tasks import enqueue, send_again


class EndpointForm(forms.ModelForm):
    """Languages and types ticked from their lists (stored as JSON lists)."""

    url = forms.URLField(
        label=_("URL"),
        max_length=2000,
        assume_scheme="https",
        help_text=models.Endpoint._meta.get_field("url").help_text,
    )
    languages = forms.MultipleChoiceField(
        label=_("languages"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=models.Endpoint._meta.get_field("languages").help_text,
    )
    types = forms.MultipleChoiceField(
        label=_("types"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=models.Endpoint._meta.get_field("types").help_text,
    )

    class Meta:
        model = models.Endpoint
        fields = ("url", "description", "active", "languages", "types")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["languages"].choices = [
            (code, name) for code, name in settings.LANGUAGES
        ]
        from api.registry import sitemap_types

        # Stored by their API names; shown by their names in the admin's language.
        self.fields["types"].choices = [
            (kind.name, capfirst(kind.model._meta.verbose_name_plural))
            for kind in sitemap_types()
        ]


@admin.register(models.Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ("url", "active", "language_list", "type_list", "description")
    list_filter = ("active",)
    search_fields = ("url", "description")

    @admin.display(description=_("languages"))
    def language_list(self, endpoint):
        return ", ".join(endpoint.languages) or _("all")

    @admin.display(description=_("types"))
    def type_list(self, endpoint):
        return ", ".join(endpoint.types) or _("all")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and obj.active and "active" in form.changed_data:
            # Active again: what waited meanwhile is sent now, in order.
            transaction.on_commit(partial(enqueue, obj.pk), robust=True)
        if not change:
            # The one time the secret is shown: it is never in a form or a list.
            self.message_user(
                request,
                _(
                    "The endpoint's signing secret, shown this once: {secret} — "
                    "give it to the receiver to verify signatures."
                ).format(secret=obj.secret),
                messages.WARNING,
            )


@admin.action(description=_("Send again"), permissions=["send"])
def send_again_action(modeladmin, request, queryset):
    count = send_again(queryset)
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d delivery will be sent again.",
            "%(count)d deliveries will be sent again.",
            count,
        )
        % {"count": count},
        messages.SUCCESS,
    )


@admin.register(models.Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "event",
        "endpoint",
        "status",
        "tries",
        "last_status_code",
        "last_error",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("status", "event__endpoint")
    list_select_related = ("event__endpoint",)
    actions = [send_again_action]
    fields = (
        "endpoint",
        "webhook_id",
        "status",
        "tries",
        "last_status_code",
        "last_error",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
        "delivered_at",
        "body",
    )
    readonly_fields = fields

    @admin.display(description=_("endpoint"), ordering="event__endpoint__url")
    def endpoint(self, delivery):
        return delivery.event.endpoint

    @admin.display(description=_("webhook id"))
    def webhook_id(self, delivery):
        return delivery.event.webhook_id

    @admin.display(description=_("created"), ordering="event__created_at")
    def created_at(self, delivery):
        return delivery.event.created_at

    @admin.display(description=_("body"))
    def body(self, delivery):
        return delivery.event.body

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_send_permission(self, request):
        """ "Send again" is for those who may change deliveries (the rows stay
        read-only: the action is the one change there is)."""
        return request.user.has_perm("webhooks.change_delivery")

    def has_delete_permission(self, request, obj=None):
        return False
