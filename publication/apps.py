from django.apps import AppConfig, apps
from django.db.models.signals import m2m_changed, post_migrate, pre_delete


class PublicationConfig(AppConfig):
    name = "publication"
    verbose_name = "Publication"

    def ready(self):
        from publication.models import (
            Part,
            content_deleted,
            sync_versions,
            touch_on_m2m_change,
        )

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
        from publication.changes import documents_changed
        from publication.export import on_documents_changed

        # The static export follows every change; it does nothing unless
        # STATIC_EXPORT_DIR is set (read on each change, so tests can set it).
        documents_changed.connect(on_documents_changed, dispatch_uid="static_export")
        # Objects published before published versions existed get theirs.
        post_migrate.connect(sync_versions, sender=self, dispatch_uid="sync_versions")
