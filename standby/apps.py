from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandbyConfig(AppConfig):
    name = "standby"
    verbose_name = _("Walk-ins and standby")

    def ready(self):
        # signals offers a seat cancelled today to the standby list;
        # personal_data answers accounts' personal-data signals.
        from standby import personal_data, signals  # noqa: F401
