"""One small function per email. Each renders
templates/emails/appointment_<kind>_{subject.txt,body.txt,body.html} in the
clinic's time zone and attaches the calendar file."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from vaccination.confirmation import calendar_file

logger = logging.getLogger(__name__)


def _site_url() -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/")


def _message(appointment, kind: str) -> EmailMultiAlternatives:
    from vaccination.models import Appointment

    site = appointment.slot.site
    language = appointment.person.preferred_language
    context = {
        "appointment": appointment,
        "slot": appointment.slot,
        "site": site,
        "site_url": _site_url(),
        "LANGUAGE_CODE": language,  # <html lang>: no request, so no context processor sets it
    }
    method = "CANCEL" if appointment.status == Appointment.Status.CANCELLED else "REQUEST"
    # Times in the clinic's zone: 09:00 at the clinic reads 09:00 in the email.
    # Words and dates in the person's language, whoever or whatever sends it.
    with timezone.override(site.tzinfo), translation.override(language):
        subject = render_to_string(f"emails/appointment_{kind}_subject.txt", context)
        text = render_to_string(f"emails/appointment_{kind}_body.txt", context)
        html = render_to_string(f"emails/appointment_{kind}_body.html", context)
        ics = calendar_file(appointment, method=method)
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        body=text,
        to=[appointment.person.contact_email],
    )
    message.attach_alternative(html, "text/html")
    message.attach("appointment.ics", ics, f"text/calendar; method={method}")
    return message


def send_appointment_notice(appointment) -> None:
    """Booked, rescheduled or cancelled: the kind is what `email_pending` says.
    A dependent's goes to their carer; a walk-in without email gets none."""
    if appointment.person.contact_email:
        _message(appointment, appointment.email_pending).send()


def send_appointment_reminder(appointment) -> None:
    if appointment.person.contact_email:
        _message(appointment, "reminder").send()


def send_owed_notice(appointment_id: int) -> bool:
    """Send the notice an appointment still owes, then mark it sent.

    Runs after the booking committed (transaction.on_commit) and again from
    send_appointment_reminders for any that failed. A failing mail server is
    logged, never raised: the booking stands and the notice stays owed.
    """
    from vaccination.models import Appointment

    appointment = (
        Appointment.objects.with_details()
        .select_related("person")
        .filter(pk=appointment_id)
        .exclude(email_pending="")
        .first()
    )
    if appointment is None:
        return False
    kind = appointment.email_pending
    try:
        send_appointment_notice(appointment)
    except Exception:
        logger.exception("Could not send the %s email for appointment %s; will retry", kind, appointment_id)
        return False
    # Only clear what we sent: a newer change owes its own notice.
    Appointment.objects.filter(pk=appointment_id, email_pending=kind, sequence=appointment.sequence).update(
        email_pending=""
    )
    return True
