"""One small function per email. Each renders
templates/emails/appointment_<kind>_{subject.txt,body.txt,body.html} in the
clinic's time zone and attaches the calendar file.

The messages are owed through the outbox (`notify`, inside the transaction of
the change) and written by the worker at send time (`compose`), from the
appointment as it is then: a notice or reminder for a revision the
appointment has since left behind is skipped, never sent with an old time.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

import outbox
from outbox import sms
from vaccination.confirmation import calendar_file

logger = logging.getLogger(__name__)

KINDS = ("booked", "rescheduled", "cancelled", "reminder")


def _site_url() -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/")


def appointment_email(appointment, kind: str) -> EmailMultiAlternatives:
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


def owed(appointment, kind: str) -> list:
    """The outbox messages (unsaved) the person is owed for the `kind` change
    of this revision of the appointment (its `sequence`), one per channel.

    Reminders go by email, text or both, as the person chose (a text needs a
    valid mobile number and an SMS provider; without them, email). A
    dependent's mail goes to their carer; a walk-in without an address gets none."""
    person = appointment.person
    texting = kind == "reminder" and person.wants_sms and bool(person.sms_number) and sms.enabled()
    channels = []
    if person.contact_email and (not texting or person.wants_email):
        channels.append(("email", person.contact_email))
    if texting:
        channels.append(("sms", person.sms_number))
    revision = f"appointment_{kind}:{appointment.pk}:{appointment.sequence}"
    return [
        outbox.new_message(
            kind=f"appointment_{kind}",
            channel=channel,
            to=to,
            data={"appointment": appointment.pk, "sequence": appointment.sequence},
            key=revision if channel == "email" else f"{revision}:{channel}",
        )
        for channel, to in channels
    ]


def notify(appointment, kind: str, *, along=()) -> list:
    """Owe the person the `kind` message about this revision of the
    appointment (its `sequence`). Call it inside the change's transaction,
    after the appointment is saved. Owed once per revision and channel: a
    second call (two reminder runs at once) adds nothing.

    Returns the outbox messages added (owed() says which). `along`: other
    new rows of the change (its audit event), written with the first message
    in one round trip, or on their own when no message is owed."""
    added = []
    for message in owed(appointment, kind):
        added.append(outbox.enqueue(message=message, along=along))
        along = ()
    for row in along:  # no message owed (a walk-in without an address)
        row.save()
    return [message for message in added if message is not None]


def reminder_text(appointment) -> str:
    """The reminder by text: short, in the person's language, and nothing
    personal beyond the code, the time and the clinic (a text may be read
    on a locked screen)."""
    site = appointment.slot.site
    with timezone.override(site.tzinfo), translation.override(appointment.person.preferred_language):
        start = timezone.localtime(appointment.slot.start)
        return gettext("VaxFleet: your vaccination %(day)s at %(time)s, %(clinic)s. Code %(code)s.") % {
            "day": date_format(start, "SHORT_DAY_MONTH_FORMAT"),
            "time": date_format(start, "H:i"),
            "clinic": site.name,
            "code": appointment.code,
        }


@outbox.composer(*(f"appointment_{kind}" for kind in KINDS))
def compose(message):
    """The email for an outbox row, or None when it is no longer owed: the
    appointment moved on to a newer revision (which owes its own notice), a
    reminder for an appointment no longer booked or already started, or an
    account that was deleted."""
    from vaccination.models import Appointment

    kind = message.kind.removeprefix("appointment_")
    appointment = (
        Appointment.objects.with_details()
        .select_related("person")
        .filter(pk=message.data["appointment"], sequence=message.data["sequence"])
        .first()
    )
    if appointment is None or not appointment.person.is_active:
        return None
    if kind == "reminder" and (
        appointment.status != Appointment.Status.BOOKED or appointment.slot.start <= timezone.now()
    ):
        return None
    if message.channel == "sms":
        return reminder_text(appointment)
    return appointment_email(appointment, kind)
