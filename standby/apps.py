from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandbyConfig(AppConfig):
    name = "standby"
    verbose_name = _("Walk-ins and standby")

    def ready(self):
        # signals offers a seat cancelled today to the standby list;
        # personal_data answers accounts' personal-data signals.
        # notify registers the offer's outbox composer.
        from standby import notify, personal_data, signals  # noqa: F401
        from standby.demo import seed_standby
        from vaccination.demo import demo_seeded

        # seed_demo's demo_seeded: a standby list, a dependent and a walk-in.
        demo_seeded.connect(
            lambda sender, users, **kwargs: seed_standby(users), dispatch_uid="standby-demo", weak=False
        )
