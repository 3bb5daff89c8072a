from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from vaccination import emails
from vaccination.models import Appointment


def claim_reminder(appointment, now) -> bool:
    """Owe the reminder of this revision of the appointment, once.

    The conditional UPDATE re-checks the row as loaded (still booked, same
    slot, same sequence, no reminder yet): two runs at once owe one reminder,
    and an appointment moved since it was read is left for the next run (the
    move reset its reminder), never reminded with the old time. The claim and
    the outbox row commit together, so a run killed in between owes nothing
    and claims nothing.
    """
    with transaction.atomic():
        claimed = Appointment.objects.filter(
            pk=appointment.pk,
            status=Appointment.Status.BOOKED,
            slot_id=appointment.slot_id,
            sequence=appointment.sequence,
            reminder_sent_at__isnull=True,
        ).update(reminder_sent_at=now)
        if claimed:
            emails.notify(appointment, "reminder")
    return bool(claimed)


class Command(BaseCommand):
    help = (
        "Owe a reminder (through the outbox, sent by the worker) to each person whose appointment starts within "
        "the next 24 hours, exactly once per appointment time. Beat runs it every 10 minutes; safe to run at any "
        "time, also twice at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24, help="How far ahead to remind (default 24).")

    def handle(self, *args, hours, **options):
        now = timezone.now()
        due = (
            Appointment.objects.booked()
            .filter(reminder_sent_at__isnull=True, slot__start__gt=now, slot__start__lte=now + timedelta(hours=hours))
            # A dependent's reminder goes to their carer (User.contact_email): loaded here, not per row.
            .select_related("person__carer")
        )
        queued = sum(claim_reminder(appointment, now) for appointment in due.iterator())
        self.stdout.write(f"{queued} reminders queued.")
