from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db import apps as tasks_db


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self):
        from clinic import checks  # noqa: F401 (registers the deploy checks)


class TasksDatabaseConfig(tasks_db.TasksAppConfig):
    """django-tasks-db under a name in the admin's language (its own is English)."""

    default = False
    verbose_name = _("Background tasks")
