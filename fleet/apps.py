from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FleetConfig(AppConfig):
    name = "fleet"
    verbose_name = _("Fleet")

    def ready(self):
        from fleet import signals  # noqa: F401 -- marks the cached fleet lists stale on every change
