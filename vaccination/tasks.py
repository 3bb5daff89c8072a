"""The periodic jobs of the beat schedule (settings.CELERY_BEAT_SCHEDULE).
Each runs its management command, so cron, Heroku Scheduler and beat run the
same code."""

from celery import shared_task
from django.core.management import call_command


@shared_task(name="vaccination.send_appointment_reminders", ignore_result=True)
def send_appointment_reminders() -> None:
    call_command("send_appointment_reminders")


@shared_task(name="vaccination.mark_no_shows", ignore_result=True)
def mark_no_shows() -> None:
    call_command("mark_no_shows")


@shared_task(name="vaccination.release_expired_holds", ignore_result=True)
def release_expired_holds() -> None:
    call_command("release_expired_holds")
