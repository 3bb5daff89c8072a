from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StockConfig(AppConfig):
    name = "stock"
    verbose_name = _("Vaccine stock")

    def ready(self):
        # stock sits above vaccination and fleet: it answers their hooks (the
        # desk's lot choice, a truck's cold range) and fleet's excursion signal.
        from stock import hooks

        hooks.connect()
