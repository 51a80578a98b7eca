from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from publication.changes import documents_changed
        from webhooks.events import record_events

        documents_changed.connect(record_events, dispatch_uid="clinic_webhooks")
