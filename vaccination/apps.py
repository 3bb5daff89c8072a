from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaccinationConfig(AppConfig):
    name = "vaccination"
    verbose_name = _("Vaccination")

    def ready(self):
        from vaccination import personal_data  # noqa: F401 -- answers accounts' personal-data signals
        from vaccination import signals  # noqa: F401 -- marks the cached booking picker stale on every change
