import logging
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from vaccination import emails
from vaccination.models import Appointment

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Email a reminder to each person whose appointment starts within the next 24 hours, exactly once, and "
        "retry confirmation emails that failed. Safe to run every few minutes (cron, Heroku Scheduler)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24, help="How far ahead to remind (default 24).")

    def handle(self, *args, hours, **options):
        retried = sum(
            emails.send_owed_notice(pk)
            for pk in Appointment.objects.exclude(email_pending="").values_list("pk", flat=True).iterator()
        )
        now = timezone.now()
        due = Appointment.objects.booked().filter(
            reminder_sent_at__isnull=True, slot__start__gt=now, slot__start__lte=now + timedelta(hours=hours)
        )
        sent = 0
        for appointment in due.with_details().select_related("person").iterator():
            # Claim it first with a conditional UPDATE: two runs that overlap
            # (a slow mail server, a scheduler retry) send one reminder, not two.
            claimed = Appointment.objects.filter(pk=appointment.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=timezone.now()
            )
            if not claimed:
                continue
            try:
                emails.send_appointment_reminder(appointment)
            except Exception:
                logger.exception("Could not send the reminder for appointment %s; will retry", appointment.pk)
                Appointment.objects.filter(pk=appointment.pk).update(reminder_sent_at=None)
                continue
            sent += 1
        self.stdout.write(f"{sent} reminders sent, {retried} owed emails delivered.")
