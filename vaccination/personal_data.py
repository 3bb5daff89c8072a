"""What vaccination holds about a person, for accounts.personal_data:
their appointments in the download, and what account deletion does to them."""

from django.dispatch import receiver
from django.utils import timezone

import outbox
from accounts.personal_data import account_deleting, personal_data_requested
from vaccination import services
from vaccination.models import Appointment, ScreeningAnswer


def _when(moment):
    return moment.isoformat() if moment else None


def appointment_data(appointment: Appointment) -> dict:
    """One appointment as the person sees it; staff names are other people's data."""
    slot = appointment.slot
    return {
        "code": appointment.code,
        "status": appointment.status,
        "vaccine": slot.vaccine.name,
        "dose": appointment.dose_number,
        "clinic": slot.site.name,
        "clinic_address": slot.site.address,
        "start": _when(slot.start),
        "end": _when(slot.end),
        "booked_at": _when(appointment.created_at),
        "cancelled_at": _when(appointment.cancelled_at),
        "checked_in_at": _when(appointment.checked_in_at),
        "checked_in_clinic": appointment.checked_in_site.name if appointment.checked_in_site else None,
        "dose_given_at": _when(appointment.dose_given_at),
        "vaccine_lot": appointment.vaccine_lot or None,
        "screening": [
            {"question": answer.question.text, "answer": answer.answer, "answered_at": _when(answer.answered_at)}
            for answer in appointment.screening_answers.all()
        ],
    }


@receiver(personal_data_requested)
def _appointments(sender, user, **kwargs):
    mine = (
        Appointment.objects.filter(person=user)
        .select_related("slot__site", "slot__vaccine", "checked_in_site")
        .prefetch_related("screening_answers__question")
        .order_by("slot__start", "pk")
    )
    return "appointments", [appointment_data(appointment) for appointment in mine]


@receiver(account_deleting)
def _cancel_future_appointments(sender, user, **kwargs):
    """Future bookings are cancelled through the booking service (seats are
    freed, the audit log tells it); past ones stay, on the anonymised row,
    because a vaccination record must outlive the account. Screening answers
    (health data the record does not need) are deleted."""
    ScreeningAnswer.objects.filter(appointment__person=user).delete()
    future = Appointment.objects.filter(person=user, status=Appointment.Status.BOOKED, slot__start__gt=timezone.now())
    for appointment in future:
        services.cancel(appointment=appointment, by=user)
    # The address is about to be scrubbed: nothing more is sent to it (the
    # cancellations above included) and the outbox forgets it.
    outbox.forget(to=user.email)
