from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaccinationConfig(AppConfig):
    name = "vaccination"
    verbose_name = _("Vaccination")

    def ready(self):
        # personal_data answers accounts' personal-data signals; signals marks
        # the cached pages stale on every change (pagecache.fragments).
        from vaccination import personal_data, signals  # noqa: F401
