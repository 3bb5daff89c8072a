"""accounts' daily job (settings.CELERY_BEAT_SCHEDULE): expired sessions go."""

from importlib import import_module

from celery import shared_task
from django.conf import settings


@shared_task(name="accounts.clear_expired_sessions", ignore_result=True)
def clear_expired_sessions() -> None:
    """What `manage.py clearsessions` does: sessions live in PostgreSQL
    (accounts.sessions), and an expired one would stay there for ever."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
