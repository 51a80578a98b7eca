from django.apps import AppConfig, apps
from django.db.models.signals import m2m_changed, pre_delete


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self):
        from clinic import checks  # noqa: F401 (registers the deploy checks)
        from publication.models import Part, content_deleted, touch_on_m2m_change

        m2m_changed.connect(touch_on_m2m_change, dispatch_uid="clinic_touch_m2m")
        # Every content model, so that bulk and cascaded deletes (which bypass
        # Model.delete) move the content version too.
        for model in apps.get_models():
            if issubclass(model, Part):
                pre_delete.connect(
                    content_deleted,
                    sender=model,
                    dispatch_uid=f"clinic_content_deleted_{model._meta.label_lower}",
                )
