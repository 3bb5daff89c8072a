"""The words of vaccination's refusals, beside their codes.

Services raise one error with a stable code (BookingError, DeskError) or
return a result with a reason (check-in); pages and the API turn the code into
these words, so both say the same thing in the reader's language. Everything
here is translated lazily or at call time, never at import.
"""

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vaccination import checkin
from vaccination.models import BOOKING_DAYS_AHEAD, Weekday

BOOKING_ERRORS = {
    "slot_full": gettext_lazy("This time was just taken, pick another."),
    "slot_started": gettext_lazy("This time has already started, pick a later one."),
    "site_closed": gettext_lazy("This clinic is not taking bookings at the moment. Pick another clinic."),
    "already_booked": gettext_lazy(
        "You already have a booked appointment for this vaccine. Move it to another time, "
        "or cancel it before booking a new one."
    ),
    "course_complete": gettext_lazy("You have had every dose of this vaccine, so there is nothing more to book."),
    "too_soon": gettext_lazy("Your next dose can be given from %(day)s. Pick a day from then on."),
    "not_changeable": gettext_lazy(
        "This appointment can no longer be changed: it was cancelled, checked in, or its time has passed."
    ),
    "other_vaccine": gettext_lazy("A new time must be for the same vaccine. Cancel and book again to change vaccine."),
    "same_slot": gettext_lazy("That is the time you already have."),
    "not_offered": gettext_lazy("This time is not open for booking yet. Pick a day within the next %(days)s days."),
    "hold_expired": gettext_lazy("We could not keep this time for you any longer. Please pick a time again."),
    "not_started": gettext_lazy("This appointment has not started yet, so it cannot be marked as a no-show."),
    "not_booked": gettext_lazy("This appointment is no longer booked (checked in, cancelled or already marked)."),
    "not_no_show": gettext_lazy("This appointment is not marked as a no-show, so there is nothing to undo."),
    "undo_too_late": gettext_lazy("It is too late to undo this no-show: the person can no longer be checked in."),
    "rebooked": gettext_lazy("The person has booked another appointment since, so this one cannot be booked again."),
}


def booking_message(error) -> str:
    """The words of a BookingError, for pages and the API."""
    if error.code == "too_soon":
        # earliest is a local day at the clinics (services.earliest_day): no time zone to apply.
        return BOOKING_ERRORS["too_soon"] % {"day": formats.date_format(error.earliest, "LONG_DATE_FORMAT")}
    if error.code == "not_offered":
        return BOOKING_ERRORS["not_offered"] % {"days": BOOKING_DAYS_AHEAD}
    return str(BOOKING_ERRORS[error.code])


CHECKIN_HEADLINES = {
    checkin.CHECKED_IN: gettext_lazy("Checked in"),
    checkin.UNKNOWN: gettext_lazy("Unknown code"),
    checkin.CANCELLED: gettext_lazy("Cancelled appointment"),
    checkin.NO_SHOW: gettext_lazy("Marked as missed"),
    checkin.WRONG_DAY: gettext_lazy("Not today"),
    checkin.WRONG_SITE: gettext_lazy("Another clinic"),
    checkin.ALREADY_CHECKED_IN: gettext_lazy("Already checked in"),
}

DESK_ERRORS = {
    "not_checked_in": gettext_lazy("This appointment is not checked in, so there is nothing to record or undo."),
    "dose_given": gettext_lazy("A dose is already recorded for this appointment; it cannot be recorded or undone."),
    "undo_too_late": gettext_lazy("A check-in can only be undone within %(minutes)s minutes. Ask an administrator."),
    "rebooked": gettext_lazy("The person has booked another appointment since, so this one cannot be booked again."),
}


def _local(moment, site):
    return timezone.localtime(moment, site.tzinfo)


def _when(slot) -> str:
    """'Tue 25 Nov 10:30' in the clinic's own time."""
    return formats.date_format(_local(slot.start, slot.site), "WEEKDAY_DAY_MONTH_TIME_FORMAT")


def checkin_detail(result: checkin.CheckInResult) -> str:
    """The words under the headline, for the nurse and the person at the door."""
    appointment = result.appointment
    if result.reason == checkin.UNKNOWN:
        return _("No appointment has the code %(code)s. Check the letters with the person.") % {
            "code": result.code or "—"
        }
    slot = appointment.slot
    if result.reason == checkin.ALREADY_CHECKED_IN:
        by = appointment.checked_in_by.get_full_name() if appointment.checked_in_by else _("someone")
        return _("At %(time)s by %(name)s.") % {
            "time": formats.time_format(_local(appointment.checked_in_at, slot.site), "H:i"),
            "name": by,
        }
    if result.reason == checkin.WRONG_DAY:
        return _("Booked for %(when)s.") % {"when": _when(slot)}
    if result.reason == checkin.WRONG_SITE:
        return _("Booked at %(site)s, %(when)s.") % {"site": slot.site.name, "when": _when(slot)}
    if result.reason == checkin.CANCELLED:
        return _("This appointment for %(when)s was cancelled. The person can book again.") % {"when": _when(slot)}
    if result.reason == checkin.NO_SHOW:
        return _("Booked for %(when)s and marked as missed. The person can book again.") % {"when": _when(slot)}
    return _("Booked for %(when)s.") % {"when": _when(slot)}


def desk_message(error) -> str:
    """The words of a checkin.DeskError raised by the desk's dose and undo actions."""
    message = DESK_ERRORS[error.code]
    if error.code == "undo_too_late":
        return message % {"minutes": int(checkin.UNDO_WINDOW.total_seconds() // 60)}
    return str(message)


SYNC_ERRORS = {
    "too_many": gettext_lazy("Send at most %(limit)s scans at a time; nothing was synced."),
    "bad_attempt": gettext_lazy("Scan %(index)s has no valid attempt id; nothing was synced."),
    "duplicate_attempt": gettext_lazy("Scan %(index)s repeats the attempt id of an earlier scan; nothing was synced."),
    "future": gettext_lazy("Scan %(index)s is dated in the future: check the device's clock. Nothing was synced."),
    "too_old": gettext_lazy(
        "Scan %(index)s is more than %(hours)s hours old and can no longer be checked in. Nothing was synced."
    ),
    "no_lot": gettext_lazy("Dose record %(index)s has no vaccine lot; nothing was synced."),
}

DOSE_HEADLINES = {
    True: gettext_lazy("Dose recorded"),
    False: gettext_lazy("Dose not recorded"),
}


def synced_dose_words(result) -> tuple[str, str]:
    """The headline and words of an offline dose record's answer at sync
    (an offline.DoseResult), for the desk's list of changes."""
    appointment = result.appointment
    if result.ok:
        slot = appointment.slot
        return str(DOSE_HEADLINES[True]), _("Lot %(lot)s, at %(time)s.") % {
            "lot": appointment.vaccine_lot,
            "time": formats.time_format(_local(appointment.dose_given_at, slot.site), "H:i"),
        }
    if result.reason in DESK_ERRORS:
        return str(DOSE_HEADLINES[False]), str(DESK_ERRORS[result.reason])
    if result.reason == checkin.UNKNOWN:
        return str(DOSE_HEADLINES[False]), checkin_detail(result)
    return str(DOSE_HEADLINES[False]), result.message


def sync_message(error) -> str:
    """The words of an offline.SyncError: why a desk's batch of offline scans was refused."""
    return SYNC_ERRORS[error.code] % error.details


TIMETABLE_ERRORS = {
    "range_reversed": gettext_lazy("The last day must not be before the first."),
    "range_too_long": gettext_lazy("Generate at most %(days)s days at a time."),
    "minutes_out_of_range": gettext_lazy("A slot lasts between 1 and %(maximum)s minutes."),
    "capacity_out_of_range": gettext_lazy("A slot has between 1 and %(maximum)s places."),
    "closes_before_opens": gettext_lazy("On %(day)s a period closes before it opens."),
    "hours_overlap": gettext_lazy("On %(day)s two periods overlap."),
    "no_hours": gettext_lazy("This clinic has no opening hours yet. Set them first."),
    "slot_overlap": gettext_lazy(
        "Nothing was created: a new slot at %(new)s would overlap the existing slot at %(existing)s. "
        "Use the slot length of the earlier slots, or other days."
    ),
}


def timetable_message(error) -> str:
    """The words of a timetable.TimetableError, for the set-up pages."""
    details = dict(error.details)
    if "weekday" in details:
        details["day"] = Weekday(details.pop("weekday")).label
    if clash := details.pop("clash", None):
        details["new"] = _moment(clash.start, clash.site)
        details["existing"] = _moment(clash.existing_start, clash.site)
    return TIMETABLE_ERRORS[error.code] % details if details else str(TIMETABLE_ERRORS[error.code])


def _moment(moment, site) -> str:
    return formats.date_format(_local(moment, site), "WEEKDAY_DAY_MONTH_TIME_FORMAT")
