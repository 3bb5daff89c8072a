"""Booking workflows that must hold under concurrency.

Each service opens a transaction, takes the scarce resource (a seat) with one
conditional UPDATE, re-checks state, writes, and owes its email through the
outbox (`emails.notify`: a row in the same transaction, delivered by the
worker after commit), so a mail server that is down never rolls back a
booking and a booking that commits always has its confirmation owed.
Failures raise `BookingError` with a code; views word it for people.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

import audit
from audit.models import Action
from pagecache import fragments
from vaccination import emails
from vaccination.models import FREE_SEATS, SEATS_BUMP_SECONDS, Appointment, Slot, Vaccine, day_board


class BookingError(Exception):
    """A booking workflow refused. `code` is one of:

    slot_full        the last seat was just taken
    slot_started     the slot has already started
    site_closed      the clinic takes no bookings
    already_booked   the person already holds a booked appointment
    course_complete  every dose of the vaccine was already given
    too_soon         the vaccine's minimum interval since the last dose has not passed
    not_changeable   the appointment is cancelled, checked in, past or started
    other_vaccine    a reschedule must keep the same vaccine
    same_slot        a reschedule to the slot it already holds
    """

    def __init__(self, code: str, *, earliest=None):
        super().__init__(code)
        self.code = code
        self.earliest = earliest  # for too_soon: the first day the next dose may be given


def next_dose(*, person, vaccine: Vaccine, when) -> int:
    """The dose number `person` may book for `vaccine` at `when`.

    Dose n+1 only after dose n was given (recorded by a nurse) and not before
    the vaccine's minimum interval. Raises BookingError(course_complete|too_soon).
    """
    return dose_after(last_doses(person=person).get(vaccine.pk), vaccine=vaccine, when=when)


def last_doses(*, person) -> dict:
    """The last dose given to `person` of each vaccine, by vaccine id (one query)."""
    given = Appointment.objects.filter(person=person, dose_given_at__isnull=False).select_related("slot")
    return latest_doses(given.order_by("dose_number"))


def latest_doses(appointments) -> dict:
    """The last given dose of each vaccine among `appointments` (in dose order), by vaccine id."""
    last = {}
    for appointment in appointments:
        if appointment.dose_given_at is not None:
            last[appointment.slot.vaccine_id] = appointment
    return last


def dose_after(last, *, vaccine: Vaccine, when) -> int:
    """The dose that may be booked at `when` after `last` (None: never vaccinated)."""
    if last is None:
        return 1
    if last.dose_number >= vaccine.doses_required:
        raise BookingError("course_complete")
    earliest = last.dose_given_at + timedelta(days=vaccine.min_days_between_doses)
    if when < earliest:
        raise BookingError("too_soon", earliest=earliest)
    return last.dose_number + 1


def _take_seat(slot: Slot) -> None:
    """Take one seat with a single conditional UPDATE: the database decides,
    so twenty simultaneous requests for the last seat give exactly one success.
    The WHERE clause only reads the slot's own row: PostgreSQL re-checks it
    against the committed row after waiting for a concurrent writer."""
    taken = Slot.objects.filter(pk=slot.pk, booked_count__lt=F("capacity"), start__gt=timezone.now()).update(
        booked_count=F("booked_count") + 1
    )
    if taken:
        _seats_changed(slot)
    else:
        slot.refresh_from_db(fields=["start", "booked_count", "capacity"])
        raise BookingError("slot_started" if slot.start <= timezone.now() else "slot_full")


def _free_seat(slot: Slot) -> None:
    Slot.objects.filter(pk=slot.pk, booked_count__gt=0).update(booked_count=F("booked_count") - 1)
    _seats_changed(slot)


def _seats_changed(slot: Slot) -> None:
    """The cached booking picker shows free seats: stale, but marked so at
    most every SEATS_BUMP_SECONDS (many bookings a second must not make every
    view of it a miss). The day boards follow the appointments themselves
    (vaccination.signals)."""
    fragments.bump_at_most_every(SEATS_BUMP_SECONDS, FREE_SEATS)


def _check_bookable(slot: Slot) -> None:
    if not slot.site.is_active:
        raise BookingError("site_closed")
    if slot.start <= timezone.now():
        raise BookingError("slot_started")


def _facts(appointment: Appointment) -> dict:
    """What the audit log keeps about an appointment: where, when, which dose."""
    slot = appointment.slot
    return {
        "code": appointment.code,
        "site": slot.site.name,
        "vaccine": slot.vaccine.name,
        "start": slot.start.isoformat(),
        "dose": appointment.dose_number,
    }


def book(*, person, slot: Slot) -> Appointment:
    """Book a seat in `slot` for `person`.

    Side effects: takes a seat, creates the appointment with a fresh code,
    emails a confirmation with a calendar file after commit.
    Errors: slot_full, slot_started, site_closed, already_booked,
    course_complete, too_soon.
    """
    slot = Slot.objects.select_related("site", "vaccine").get(pk=slot.pk)
    _check_bookable(slot)
    if Appointment.objects.booked().filter(person=person).exists():
        raise BookingError("already_booked")
    dose_number = next_dose(person=person, vaccine=slot.vaccine, when=slot.start)
    with transaction.atomic():
        _take_seat(slot)
        appointment = Appointment(person=person, slot=slot, dose_number=dose_number)
        try:
            # The savepoint lets a clash be told apart and, for a code, retried.
            for _attempt in range(5):
                appointment.code = ""
                try:
                    with transaction.atomic():
                        appointment.save()
                    break
                except IntegrityError:
                    if Appointment.objects.booked().filter(person=person).exists():
                        raise
            else:
                raise IntegrityError("could not draw a free confirmation code")
        except IntegrityError:
            # A second tab of the same person won the race for the one booked
            # appointment; raising rolls our seat back too.
            raise BookingError("already_booked") from None
        emails.notify(appointment, "booked")
        audit.record(Action.BOOK, target=appointment, actor=person, data=_facts(appointment))
    return appointment


def _lock_changeable(appointment: Appointment) -> Appointment:
    """Lock the appointment row and re-check it, so a double-clicked cancel or
    two tabs rescheduling at once act once."""
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    locked.slot = Slot.objects.select_related("site", "vaccine").get(pk=locked.slot_id)
    if not locked.is_changeable:
        raise BookingError("not_changeable")
    return locked


def cancel(*, appointment: Appointment, by) -> Appointment:
    """Cancel a booked appointment that has not started and free its seat.

    `by` is who cancels (the person, or staff). Side effects: frees the seat,
    bumps the calendar SEQUENCE, emails a cancellation after commit.
    Errors: not_changeable.
    """
    with transaction.atomic():
        locked = _lock_changeable(appointment)
        _free_seat(locked.slot)
        locked.status = Appointment.Status.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.sequence += 1
        locked.save()
        emails.notify(locked, "cancelled")
        audit.record(Action.CANCEL, target=locked, actor=by, data=_facts(locked))
    return locked


def reschedule(*, appointment: Appointment, slot: Slot) -> Appointment:
    """Move a booked appointment to `slot`, atomically: if the new seat is
    gone the old one is kept.

    Side effects: takes the new seat, frees the old one, bumps the calendar
    SEQUENCE (same UID, so calendars move the entry), emails the new time.
    Errors: not_changeable, same_slot, other_vaccine, site_closed,
    slot_started, slot_full, too_soon.
    """
    new_slot = Slot.objects.select_related("site", "vaccine").get(pk=slot.pk)
    with transaction.atomic():
        locked = _lock_changeable(appointment)
        if new_slot.pk == locked.slot_id:
            raise BookingError("same_slot")
        if new_slot.vaccine_id != locked.slot.vaccine_id:
            raise BookingError("other_vaccine")
        _check_bookable(new_slot)
        next_dose(person=locked.person, vaccine=new_slot.vaccine, when=new_slot.start)
        _take_seat(new_slot)
        _free_seat(locked.slot)
        # Saving reports the new clinic to its day board; the old one hears it here.
        fragments.bump(day_board(locked.slot.site_id))
        before = _facts(locked)
        locked.slot = new_slot
        locked.sequence += 1
        # The new time owes its own reminder; one queued for the old time is
        # skipped at send time (its sequence is behind).
        locked.reminder_sent_at = None
        locked.save()
        emails.notify(locked, "rescheduled")
        moved = {**_facts(locked), "from": before["start"], "from_site": before["site"]}
        audit.record(Action.RESCHEDULE, target=locked, data=moved)
    return locked
