"""The standby list and its spare-dose offers, safe under concurrency.

Joining, leaving, declaring spare doses, sending offers and accepting one.
Every dose handed out takes a seat on a slot's counter (`Slot.booked_count`,
CHECK <= capacity) with one conditional UPDATE, so fifty people accepting
three offers at once give exactly three appointments. Errors raise
`StandbyError` with a code whose words live in standby.errors.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from standby import notify
from standby.errors import StandbyError
from standby.models import WEEK, Offer, SpareDoses, StandbyEntry, offer_lifetime
from vaccination import services
from vaccination.models import BOOKING_DAYS_AHEAD, Appointment, Slot
from vaccination.services import BookingError

OFFER_SALT = "standby.offer"
# Booking errors that mean "the doses went to others": a late acceptance.
GONE_CODES = ("slot_full", "slot_started", "site_closed")


# The standby list


def join(*, person, site, arrive_within: int, day=None, any_day: bool = False) -> StandbyEntry:
    """Put `person` on `site`'s standby list for `day`, or for any day of the
    coming week (today and the six after).
    Errors: site_closed, past_day, too_far, already_waiting."""
    if not site.is_active:
        raise StandbyError("site_closed")
    today = site.today()
    if any_day:
        first, last = today, today + timedelta(days=WEEK - 1)
    else:
        if day is None or day < today:
            raise StandbyError("past_day")
        if day >= today + timedelta(days=BOOKING_DAYS_AHEAD):
            raise StandbyError("too_far", days=BOOKING_DAYS_AHEAD)
        first = last = day
    entry = StandbyEntry(person=person, site=site, first_day=first, last_day=last, arrive_within=arrive_within)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        # The partial unique index: one active entry per person and clinic.
        raise StandbyError("already_waiting") from None
    return entry


def leave(*, entry: StandbyEntry) -> StandbyEntry:
    """Take `entry` off the list; its open offers are withdrawn. Error: not_waiting."""
    now = timezone.now()
    with transaction.atomic():
        left = StandbyEntry.objects.filter(pk=entry.pk, left_at__isnull=True).update(
            left_at=now, outcome=StandbyEntry.Outcome.LEFT
        )
        if not left:
            raise StandbyError("not_waiting")
        entry.offers.filter(status=Offer.Status.OPEN).update(status=Offer.Status.WITHDRAWN)
    entry.refresh_from_db()
    return entry


# Spare doses and offers


def declare_spare_doses(*, site, vaccine, doses: int, until, by) -> SpareDoses:
    """Staff at `site` have `doses` spare doses of `vaccine` to give by `until`
    (today): a slot running from now to `until` with that many seats holds
    them (it has started, so the public booking pages never offer it), and
    offers go out to the standby list at once.
    Errors: until_passed, site_closed."""
    now = timezone.now()
    if not site.is_active:
        raise StandbyError("site_closed")
    if until <= now:
        raise StandbyError("until_passed")
    with transaction.atomic():
        slot = _running_slot(site=site, vaccine=vaccine, start=now, end=until, capacity=doses)
        spare = SpareDoses.objects.create(
            slot=slot, doses=doses, until=until, reason=SpareDoses.Reason.DECLARED, declared_by=by
        )
        send_offers(spare=spare)
    return spare


def _running_slot(*, site, vaccine, start, end, capacity) -> Slot:
    """A new slot from `start`: a clinic's slots are unique by start, so a
    second batch declared in the same instant (two nurses, one click each)
    starts a millisecond later rather than failing."""
    for attempt in range(50):
        try:
            with transaction.atomic():
                return Slot.objects.create(
                    site=site,
                    vaccine=vaccine,
                    start=start + timedelta(milliseconds=attempt),
                    end=end,
                    capacity=capacity,
                )
        except IntegrityError:
            continue
    raise IntegrityError("could not find a free start for the spare-dose slot")


def offer_freed_seats(*, slot) -> SpareDoses | None:
    """Seats of `slot` (later today) freed by cancellations today go to the
    standby list, once each: idempotent, so the cancellation signal and the
    periodic sweep may both call it."""
    now = timezone.now()
    site = slot.site
    start, end = site.local_day_bounds(site.today())
    if not (now < slot.start < end) or not StandbyEntry.objects.waiting_for(site, site.today()).exists():
        return None
    with transaction.atomic():
        # Lock the slot row: two sweeps at once must not both count the same seats.
        slot = Slot.objects.select_for_update().select_related("site").get(pk=slot.pk)
        cancelled = Appointment.objects.filter(
            slot=slot, status=Appointment.Status.CANCELLED, cancelled_at__gte=start
        ).count()
        offered = SpareDoses.objects.filter(slot=slot, reason=SpareDoses.Reason.FREED).aggregate(n=Sum("doses"))["n"]
        new = min(cancelled - (offered or 0), slot.seats_left)
        if new <= 0:
            return None
        spare = SpareDoses.objects.create(slot=slot, doses=new, until=slot.start, reason=SpareDoses.Reason.FREED)
        send_offers(spare=spare)
    return spare


def doses_left(spare: SpareDoses) -> int:
    """Doses of `spare` not yet taken. A declared batch owns its slot; a freed
    seat shares a public slot, so it counts its own accepted offers."""
    slot = spare.slot
    if spare.reason == SpareDoses.Reason.DECLARED:
        return slot.seats_left
    accepted = spare.offers.filter(status=Offer.Status.ACCEPTED).count()
    return max(0, min(spare.doses - accepted, slot.seats_left))


def send_offers(*, spare: SpareDoses) -> list[Offer]:
    """Top up `spare`'s open offers to STANDBY_OFFERS_PER_DOSE per dose left,
    to the people waiting at its clinic today in the order they joined, who
    can arrive before it runs out. Each offer is sent after commit."""
    now = timezone.now()
    with transaction.atomic():
        # One top-up at a time per batch: the sweep and a declaration must not both fill it.
        spare = SpareDoses.objects.select_for_update().select_related("slot__site", "slot__vaccine").get(pk=spare.pk)
        if spare.until <= now:
            return []
        wanted = doses_left(spare) * settings.STANDBY_OFFERS_PER_DOSE - spare.offers.open().count()
        if wanted <= 0:
            return []
        site = spare.slot.site
        minutes_left = (spare.until - now).total_seconds() / 60
        entries = (
            StandbyEntry.objects.waiting_for(site, site.today())
            .filter(arrive_within__lte=minutes_left)
            .exclude(offers__spare=spare)
            .select_related("person__carer")
        )[:wanted]
        expires = min(now + offer_lifetime(), spare.until)
        offers = Offer.objects.bulk_create(
            [Offer(spare=spare, entry=entry, created_at=now, expires_at=expires) for entry in entries]
        )
        for offer in offers:
            notify.owe_offer(offer)
    return offers


def refresh_offers() -> dict:
    """The periodic sweep (manage.py send_standby_offers, every minute):
    open offers past their time expire, and every batch still running is
    topped up, so expired offers go to the next people; seats freed by
    today's cancellations are offered too. Returns counts."""
    now = timezone.now()
    expired = Offer.objects.filter(status=Offer.Status.OPEN, expires_at__lte=now).update(status=Offer.Status.EXPIRED)
    sent = 0
    for spare in SpareDoses.objects.filter(until__gt=now).order_by("created_at", "pk"):
        sent += len(send_offers(spare=spare))
    freed = Slot.objects.filter(
        start__gt=now,
        start__lt=now + timedelta(days=1),
        booked_count__lt=F("capacity"),
        appointments__status=Appointment.Status.CANCELLED,
        appointments__cancelled_at__gte=now - timedelta(days=1),
        site__standby_entries__left_at__isnull=True,
    ).distinct()
    for slot in freed.select_related("site"):
        spare = offer_freed_seats(slot=slot)
        sent += spare.offers.count() if spare else 0
    return {"expired": expired, "sent": sent}


def offer_token(offer: Offer) -> str:
    """The signed part of an offer's link: forging one for another offer fails."""
    return signing.Signer(salt=OFFER_SALT).sign(str(offer.pk))


def offer_from_token(token: str) -> Offer:
    """The offer a link names. Error: forged."""
    try:
        pk = int(signing.Signer(salt=OFFER_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        raise StandbyError("forged") from None
    offer = Offer.objects.select_related("entry__person", "spare__slot__site", "spare__slot__vaccine").filter(pk=pk)
    offer = offer.first()
    if offer is None:
        raise StandbyError("forged")
    return offer


def check_offer(offer: Offer, *, person) -> None:
    """Why `person` may not take `offer` now, raised; silent when they may.
    Errors: not_yours, used, gone, withdrawn, expired."""
    if offer.entry.person_id != person.pk:
        raise StandbyError("not_yours")
    if offer.status == Offer.Status.ACCEPTED:
        raise StandbyError("used")
    if offer.status in (Offer.Status.GONE, Offer.Status.WITHDRAWN):
        raise StandbyError(offer.status)
    if offer.status == Offer.Status.EXPIRED or offer.expires_at <= timezone.now():
        raise StandbyError("expired")


def accept_offer(*, token: str, person) -> Offer:
    """`person` accepts the offer the link `token` names.

    The offer row is locked (a double-clicked link acts once), then a seat is
    taken on its slot's counter: the first N to accept get a real appointment
    (source "offer"), a booked appointment the person held is cancelled in
    the same transaction (the earlier dose replaces it), and they leave the
    list. A late acceptance marks the offer gone and leaves the person on
    the list. Emails go after commit.
    Errors: forged, not_yours, used, expired, withdrawn, gone, already_booked.
    """
    offer = offer_from_token(token)
    failure = None
    with transaction.atomic():
        offer = Offer.objects.select_for_update().get(pk=offer.pk)
        offer.entry = StandbyEntry.objects.get(pk=offer.entry_id)
        check_offer(offer, person=person)
        slot = Slot.objects.select_related("site", "vaccine").get(pk=offer.spare.slot_id)
        try:
            with transaction.atomic():
                appointment = _take_dose(person=person, slot=slot)
        except BookingError as error:
            if error.code in GONE_CODES:
                offer.status = Offer.Status.GONE
                offer.save(update_fields=["status"])
                failure = StandbyError("gone")
            else:
                failure = StandbyError("already_booked")
        else:
            now = timezone.now()
            offer.status = Offer.Status.ACCEPTED
            offer.accepted_at = now
            offer.appointment = appointment
            offer.save(update_fields=["status", "accepted_at", "appointment"])
            StandbyEntry.objects.filter(pk=offer.entry_id, left_at__isnull=True).update(
                left_at=now, outcome=StandbyEntry.Outcome.VACCINATED
            )
            Offer.objects.filter(entry_id=offer.entry_id, status=Offer.Status.OPEN).update(
                status=Offer.Status.WITHDRAWN
            )
    if failure is not None:
        raise failure
    return offer


def _take_dose(*, person, slot) -> Appointment:
    """An appointment for `person` in `slot`, replacing the one they hold of
    the same vaccine (a missed booking holds nothing: the booking service
    marks it a no-show).
    A declared spare-dose slot has already started and takes seats until it
    ends; a seat freed later today is an ordinary booking."""
    held = Appointment.objects.holding().filter(person=person, vaccine=slot.vaccine_id).first()
    if held is not None:
        services.cancel(appointment=held, by=person)
    running = slot.start <= timezone.now()
    return services.book(person=person, slot=slot, source=Appointment.Source.OFFER, running=running)
