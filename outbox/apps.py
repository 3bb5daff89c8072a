from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    """Messages owed to people (email, text), written in the transaction of
    the change that owes them and delivered by the background worker: a base
    app any other app may use; it depends on Django (and Celery) only."""

    name = "outbox"
    verbose_name = _("Outbox")
