from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "places"
    verbose_name = _("Places")

    def ready(self):
        # Every change to the place table marks the pages that searched it stale.
        from places import signals  # noqa: F401
