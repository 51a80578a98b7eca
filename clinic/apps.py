from django.apps import AppConfig
from django.db.models.signals import m2m_changed


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self):
        from clinic.publication import touch_on_m2m_change

        m2m_changed.connect(touch_on_m2m_change, dispatch_uid="clinic_touch_m2m")
