"""Booking without a password: the seat is held while the visitor confirms
their email with a code (vaccination.holds, accounts.passwordless).

Book pressed by an anonymous visitor -> `start` holds the seat -> `hold`
asks for the email (and names, used for a new account) and has allauth email
a code -> allauth's code page signs them in -> `finish` turns the hold into
the booking. The browser session keeps the hold's token and the picker page
to go back to.
"""

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import PasswordlessSignupForm
from accounts.passwordless import send_sign_in_code
from ratelimits import consume_or_429
from vaccination import errors, holds, screening
from vaccination.services import BookingError

SESSION_KEY = "vaccination_seat_hold"
# Asked on the hold page: only what booking needs (the rest is on the profile).
OPTIONAL_FIELDS = ("mobile", "reminder_channel", "date_of_birth")


def booked_url(appointment) -> str:
    """Where a visitor goes once their held time is booked (the one place to
    change it, e.g. for a confirmation page): where the booking page sends
    a signed-in person after booking."""
    return screening.after_booking_url(appointment)


def _held(request) -> dict:
    return request.session.get(SESSION_KEY) or {}


def _back(request) -> str:
    return _held(request).get("back") or reverse("vaccination:book")


def _gone(request, message=None):
    """The hold is gone: say so plainly and go back to the same clinic and day."""
    back = _back(request)
    request.session.pop(SESSION_KEY, None)
    messages.error(request, message or errors.BOOKING_ERRORS["hold_expired"])
    return redirect(back)


def start(request, *, slot, error, back):
    """The booking page's answer to an anonymous visitor pressing Book: hold
    the seat (one per browser session, rate limited per address) and ask for
    their email. `error`: the form's words when `slot` is None."""
    if limited := consume_or_429(request, action="hold_seat"):
        return limited
    if slot is None:
        messages.error(request, error)
        return redirect(back)
    try:
        hold = holds.hold_seat(slot=slot, replacing=_held(request).get("token"))
    except BookingError as refusal:
        messages.error(request, errors.booking_message(refusal))
        return redirect(back)
    request.session[SESSION_KEY] = {"token": hold.token, "back": back}
    return redirect("vaccination:hold")


@require_http_methods(["GET", "HEAD", "POST"])
def hold(request):
    seat = holds.live_hold(_held(request).get("token"))
    if seat is None:
        return _gone(request)
    if request.user.is_authenticated:
        return redirect("vaccination:hold-finish")
    form = PasswordlessSignupForm(request.POST if request.method == "POST" else None)
    for name in OPTIONAL_FIELDS:
        form.fields.pop(name, None)
    if request.method == "POST":
        if limited := consume_or_429(request, action="signup"):
            return limited
        if form.is_valid() and (url := send_sign_in_code(request, form, next_url=reverse("vaccination:hold-finish"))):
            return redirect(url)
    # What is left of the hold, in whole minutes (a reload shows less than SEAT_HOLD_MINUTES).
    minutes_left = max(1, math.ceil((seat.expires_at - timezone.now()).total_seconds() / 60))
    return render(request, "vaccination/hold.html", {"hold": seat, "form": form, "hold_minutes": minutes_left})


@require_POST
def release(request):
    """The visitor lets the held time go (to pick another)."""
    back = _back(request)
    if token := _held(request).get("token"):
        holds.release_hold(token=token)
    request.session.pop(SESSION_KEY, None)
    return redirect(back)


@login_required
@require_GET
def finish(request):
    """Signed in with the code: the held seat becomes the booking. Reached by
    allauth's redirect after the code; it acts only on the hold this browser
    session made, once (the hold is gone after)."""
    seat = holds.live_hold(_held(request).get("token"))
    if seat is None:
        return _gone(request)
    try:
        appointment = holds.book_held(hold=seat, person=request.user)
    except BookingError as refusal:
        holds.release_hold(token=seat.token)
        return _gone(request, errors.booking_message(refusal))
    request.session.pop(SESSION_KEY, None)
    # The confirmation panel says it all ("Booking complete", the email sent):
    # the sign-in's own notes ("You have confirmed…", "Signed in as…") would
    # only push the code and the barcode below the first screen of a phone.
    messages.get_messages(request).used = True
    return redirect(booked_url(appointment))
