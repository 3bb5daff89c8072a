"""The standby list's periodic job (settings.CELERY_BEAT_SCHEDULE): offers
that expired pass to the next people, seats freed today are offered."""

from celery import shared_task
from django.core.management import call_command


@shared_task(name="standby.send_standby_offers", ignore_result=True)
def send_standby_offers() -> None:
    call_command("send_standby_offers")
