"""Fleet readiness's daily job (settings.CELERY_BEAT_SCHEDULE): fleet managers
hear of clinic days newly at risk."""

from celery import shared_task
from django.core.management import call_command


@shared_task(name="readiness.alert_readiness", ignore_result=True)
def alert_readiness() -> None:
    call_command("alert_readiness")
