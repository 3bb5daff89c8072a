"""What a person takes away from a booking: the QR code and the calendar file."""

from datetime import timedelta
from functools import lru_cache

import icalendar
import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from vaccination.models import Appointment


@lru_cache(maxsize=4096)
def _qr_svg_markup(code: str, title: str) -> str:
    qr = segno.make(code, error="m", micro=False)
    return qr.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr-code", lineclass="qr-line", title=title)


def qr_svg(code: str) -> str:
    """An inline SVG of the QR code that encodes the confirmation code (and only that).

    A code never changes, so each drawing is made once per process and then
    served from memory rather than redrawn on every view.
    """
    title = _("QR code for %(code)s") % {"code": code}
    # segno's own SVG of our own code; it escapes the title.
    return mark_safe(_qr_svg_markup(code, title))  # noqa: S308  # nosec B308 B703


def calendar_file(appointment: Appointment, *, method: str = "PUBLISH") -> bytes:
    """An iCalendar file for the appointment, in the clinic's time zone.

    UID stays the same for the appointment's whole life and SEQUENCE grows
    with every change, so a calendar that imported it moves or cancels the
    same entry. `method` is PUBLISH for the download, REQUEST or CANCEL for
    emails.
    """
    slot = appointment.slot
    site = slot.site
    tz = site.tzinfo
    cancelled = appointment.status == Appointment.Status.CANCELLED

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//VaxFleet//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)

    event = icalendar.Event()
    event.add("uid", appointment.calendar_uid)
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", appointment.updated_at or timezone.now())
    event.add("dtstart", timezone.localtime(slot.start, tz))
    event.add("dtend", timezone.localtime(slot.end, tz))
    event.add(
        "summary",
        _("Vaccination: %(vaccine)s, dose %(dose)s") % {"vaccine": slot.vaccine, "dose": appointment.dose_number},
    )
    event.add("location", f"{site.name}, {', '.join(site.address.splitlines())}")
    event.add(
        "description",
        render_to_string("vaccination/appointment_calendar_description.txt", {"appointment": appointment}).strip(),
    )
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if method in {"REQUEST", "CANCEL"}:
        organizer = icalendar.vCalAddress(f"mailto:{_address(settings.DEFAULT_FROM_EMAIL)}")
        organizer.params["cn"] = icalendar.vText("VaxFleet")
        event.add("organizer", organizer)
        attendee = icalendar.vCalAddress(f"mailto:{appointment.person.email}")
        attendee.params["cn"] = icalendar.vText(str(appointment.person))
        attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        event.add("attendee", attendee)
    if not cancelled:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", _("Vaccination appointment"))
        alarm.add("trigger", -timedelta(hours=2))
        event.add_component(alarm)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _address(from_email: str) -> str:
    """The bare address of "Name <address>"."""
    return from_email.rsplit("<", 1)[-1].rstrip(">").strip()
