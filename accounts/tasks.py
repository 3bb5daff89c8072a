"""accounts' daily job (settings.CELERY_BEAT_SCHEDULE): expired sessions go."""

from celery import shared_task
from django.core.management import call_command


@shared_task(name="accounts.clear_expired_sessions", ignore_result=True)
def clear_expired_sessions() -> None:
    """Django's `clearsessions`: sessions live in PostgreSQL (accounts.sessions),
    and an expired one would stay there for ever."""
    call_command("clearsessions")
