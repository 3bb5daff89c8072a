from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReadinessConfig(AppConfig):
    name = "readiness"
    verbose_name = _("Readiness")

    def ready(self):
        # hooks answers fleet's and vaccination's hooks (truck page sections,
        # the "not ready" filters, the board's flag); signals marks cached
        # fleet lists stale when what makes a truck ready changes.
        # demo answers seed_demo's demo_seeded; alerts registers the alert's
        # outbox composer.
        from readiness import alerts, demo, hooks, signals  # noqa: F401
