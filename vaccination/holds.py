"""Seats held for an anonymous visitor while they confirm their email.

A visitor who presses Book on a time without being signed in gets the seat
held for settings.SEAT_HOLD_MINUTES while they sign in or sign up with a code
emailed to them (accounts.passwordless). The hold takes its seat with the same
conditional UPDATE as a booking (services._take_seat), so capacity stays
enforced by the database; once signed in, the hold becomes the booking without
taking a second seat (services.book(hold=...)). A hold that runs out is
released by the worker every minute (release_expired_holds), and on the spot
by anyone who needs its seat (services._take_seat). One browser session holds
at most one seat: holding another time lets the first go.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vaccination.models import SeatHold, Slot
from vaccination.services import _check_bookable, _take_seat, book, release_holds


def hold_seat(*, slot: Slot, replacing: str | None = None) -> SeatHold:
    """Hold a seat in `slot` for SEAT_HOLD_MINUTES. `replacing`: the token of
    this browser's earlier hold, let go first (one hold per session).

    Side effects: frees the earlier hold's seat, takes a seat, bumps the
    picker's free seats. Errors (BookingError): site_closed, slot_started,
    not_offered, slot_full.
    """
    if replacing:
        release_hold(token=replacing)
    slot = Slot.objects.select_related("site", "vaccine").get(pk=slot.pk)
    _check_bookable(slot)
    with transaction.atomic():
        _take_seat(slot)
        until = timezone.now() + timedelta(minutes=settings.SEAT_HOLD_MINUTES)
        hold = SeatHold.objects.create(slot=slot, expires_at=until)
    return hold


def live_hold(token: str | None) -> SeatHold | None:
    """The hold with `token` while it keeps its seat, with its slot, clinic and
    vaccine; None when there is none. One that has run out is released here."""
    if not token:
        return None
    hold = SeatHold.objects.select_related("slot__site", "slot__vaccine").filter(token=token).first()
    if hold is not None and not hold.is_live:
        release_holds(SeatHold.objects.filter(pk=hold.pk))
        return None
    return hold


def release_hold(*, token: str) -> bool:
    """Let the hold with `token` go and give its seat back. True if it held one.

    Side effects: frees a seat, bumps the picker's free seats."""
    return bool(release_holds(SeatHold.objects.filter(token=token)))


def release_expired_holds() -> int:
    """Give back the seats of every hold that has run out. Safe to run at any
    time and at once with bookings. Returns how many were released."""
    return release_holds(SeatHold.objects.expired())


def book_held(*, hold: SeatHold, person):
    """Book the held seat for `person` (now signed in): services.book with the
    same rules and side effects, the hold's seat becoming the booking's.

    Errors (BookingError): hold_expired, already_booked, course_complete,
    too_soon, site_closed, slot_started, not_offered. On any error the hold
    keeps its seat until released."""
    return book(person=person, slot=hold.slot, hold=hold)
