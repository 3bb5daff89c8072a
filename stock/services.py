"""Stock workflows: every change of a lot's doses writes ledger rows and
moves the counter in one transaction, and is audited.

Concurrency: a dose takes the lot's row lock (so a quarantine and a dose of
the same lot are ordered) and then one conditional UPDATE of the counter
(`quantity >= n`); PostgreSQL re-evaluates that WHERE after a concurrent
desk's commit, so two desks taking the last dose give one dose and one
lot_empty. The CHECK (quantity >= 0) holds whatever writes to the table.
"""

import uuid

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

import audit
from accounts.roles import Role
from audit.models import Action
from pagecache import fragments
from stock import notify
from stock.errors import StockError
from stock.models import STOCK, ColdChainAlert, Lot, Quarantine, StockLevel, StockMovement

Kind = StockMovement.Kind


def _place(site, truck) -> dict:
    if (site is None) == (truck is None):
        raise ValueError("a clinic or a truck, exactly one")
    return {"site": site, "truck": truck}


def _level(lot, place) -> StockLevel:
    level, _created = StockLevel.objects.get_or_create(lot=lot, **place)
    return level


def _change(*, lot, place, delta, kind, by, at=None, **fields) -> StockMovement:
    """Move the counter by `delta` (refusing to go below zero) and write the ledger row."""
    level = _level(lot, place)
    if delta < 0:
        taken = StockLevel.objects.filter(pk=level.pk, quantity__gte=-delta).update(quantity=F("quantity") + delta)
        if not taken:
            level.refresh_from_db()
            if level.quantity == 0:
                raise StockError("lot_empty", lot=lot.number)
            raise StockError("not_enough", lot=lot.number, left=level.quantity)
    elif delta > 0:
        StockLevel.objects.filter(pk=level.pk).update(quantity=F("quantity") + delta)
    # The movement's post_save bumps STOCK (stock.hooks): the level's UPDATE is in the same transaction.
    return StockMovement.objects.create(
        lot=lot, kind=kind, quantity=delta, by=by, at=at or timezone.now(), **place, **fields
    )


def _audit(action, movement_or_lot, *, by, **data):
    audit.record(action, target=movement_or_lot, actor=by, data={key: str(v) for key, v in data.items()})


def _positive(quantity):
    if quantity is None or quantity < 1:
        raise StockError("quantity")


def receive(*, lot: Lot, quantity: int, by, site=None, truck=None, note: str = "", at=None) -> StockMovement:
    """Doses of `lot` arrive at a clinic or truck (`at`: when, if recorded
    after the fact). Audited (stock_received). Errors: quantity."""
    _positive(quantity)
    place = _place(site, truck)
    with transaction.atomic():
        movement = _change(lot=lot, place=place, delta=quantity, kind=Kind.RECEIVED, by=by, note=note.strip(), at=at)
        _audit(Action.STOCK_RECEIVED, lot, by=by, doses=quantity, place=site or truck)
    return movement


def move(*, lot: Lot, quantity: int, by, from_site=None, from_truck=None, to_site=None, to_truck=None):
    """Move doses between clinics and trucks: two ledger rows with one transfer id.
    Audited (stock_moved). Errors: quantity, same_place, lot_empty, not_enough."""
    _positive(quantity)
    source, target = _place(from_site, from_truck), _place(to_site, to_truck)
    if source == target:
        raise StockError("same_place")
    transfer = uuid.uuid4()
    with transaction.atomic():
        now = timezone.now()
        out = _change(lot=lot, place=source, delta=-quantity, kind=Kind.MOVED, by=by, at=now, transfer=transfer)
        _change(lot=lot, place=target, delta=quantity, kind=Kind.MOVED, by=by, at=now, transfer=transfer)
        _audit(Action.STOCK_MOVED, lot, by=by, doses=quantity, source=from_site or from_truck, to=to_site or to_truck)
    return out


def waste(*, lot: Lot, quantity: int, reason: str, by, site=None, truck=None, note: str = "") -> StockMovement:
    """Doses thrown away, with the reason. Audited (stock_wasted).
    Errors: quantity, lot_empty, not_enough."""
    _positive(quantity)
    with transaction.atomic():
        movement = _change(
            lot=lot, place=_place(site, truck), delta=-quantity, kind=Kind.WASTED, by=by, reason=reason, note=note
        )
        _audit(Action.STOCK_WASTED, lot, by=by, doses=quantity, reason=reason, place=site or truck)
    return movement


def count(*, lot: Lot, counted: int, by, site=None, truck=None, note: str = "") -> StockMovement:
    """A count of the doses at a place: the difference with the ledger is an
    adjustment row carrying the counted figure (a zero row when they agree,
    so the count itself is on record). The counter row is locked while
    comparing, so a dose given meanwhile is not lost. Audited (stock_counted)."""
    place = _place(site, truck)
    with transaction.atomic():
        level = StockLevel.objects.select_for_update().get(pk=_level(lot, place).pk)
        delta = counted - level.quantity
        movement = _change(
            lot=lot, place=place, delta=delta, kind=Kind.ADJUSTED, by=by, counted=counted, note=note.strip()
        )
        _audit(Action.STOCK_COUNTED, lot, by=by, counted=counted, change=delta, place=site or truck)
    return movement


def dose_place(site) -> dict:
    """Where a clinic's desk takes its doses: a mobile clinic's from its truck."""
    if site.is_mobile and site.truck_id:
        return {"site": None, "truck": site.truck}
    return {"site": site, "truck": None}


def administer(*, appointment, lot_number: str, by, at=None) -> StockMovement:
    """Take one dose of the appointment's vaccine, lot `lot_number`, at its
    clinic (or its truck), for the dose record given at `at` (default now:
    an offline desk's dose is judged, and written, at the time it was given);
    call inside the record's transaction. Errors: lot_unknown, lot_expired, lot_quarantined,
    lot_discarded, lot_empty."""
    site = appointment.slot.site
    lot = Lot.objects.filter(vaccine_id=appointment.slot.vaccine_id, number__iexact=lot_number.strip()).first()
    if lot is None:
        raise StockError("lot_unknown", lot=lot_number)
    with transaction.atomic():
        # Ordered with a concurrent quarantine of the lot: the desk sees its outcome.
        lot = Lot.objects.select_for_update().get(pk=lot.pk)
        if lot.status == Lot.Status.QUARANTINED:
            raise StockError("lot_quarantined", lot=lot.number)
        if lot.status == Lot.Status.DISCARDED:
            raise StockError("lot_discarded", lot=lot.number)
        day = timezone.localtime(at, site.tzinfo).date() if at else site.today()
        if lot.is_expired(day):
            raise StockError("lot_expired", lot=lot.number, date=lot.expires_on.isoformat())
        movement = _change(
            lot=lot, place=dose_place(site), delta=-1, kind=Kind.ADMINISTERED, by=by, appointment=appointment, at=at
        )
    return movement


def lots_on_board(*, truck, start, end) -> list[Lot]:
    """Lots that had doses on `truck` at any moment of [start, end], from the ledger."""
    held = (
        StockMovement.objects.filter(truck=truck, at__lte=start)
        .values("lot_id")
        .annotate(total=Sum("quantity"))
        .filter(total__gt=0)
    )
    ids = {row["lot_id"] for row in held}
    arrived = StockMovement.objects.filter(truck=truck, at__gt=start, at__lte=end, quantity__gt=0)
    ids.update(arrived.values_list("lot_id", flat=True))
    return list(Lot.objects.filter(pk__in=ids).order_by("pk"))


def quarantine_for(*, excursion) -> list[Lot]:
    """Answer a truck's excursion: quarantine every lot on board during it,
    and alert the staff of the truck's clinics and the fleet managers.
    Audited (lot_quarantined). Returns the lots."""
    end = excursion.ended_at or excursion.last_out_at
    lots = lots_on_board(truck=excursion.truck, start=excursion.started_at, end=end)
    with transaction.atomic():
        for lot in lots:
            Quarantine.objects.get_or_create(lot=lot, excursion=excursion)
            if lot.status == Lot.Status.AVAILABLE:
                Lot.objects.filter(pk=lot.pk, status=Lot.Status.AVAILABLE).update(status=Lot.Status.QUARANTINED)
                fragments.bump(STOCK)  # an UPDATE: no signal
            _audit(Action.LOT_QUARANTINED, lot, by=None, excursion=excursion.pk, truck=excursion.truck)
        alert, created = ColdChainAlert.objects.get_or_create(excursion=excursion)
        users = get_user_model().objects.filter(is_active=True)
        recipients = list(
            users.filter(Q(clinic_sites__truck=excursion.truck) | Q(groups__name=Role.FLEET_MANAGER)).distinct()
        )
        alert.recipients.add(*recipients)
        if created:
            notify.owe_alert(alert=alert, recipients=recipients)
    return lots


def _decide(*, lot: Lot, decision: str, reason: str, by):
    reason = reason.strip()
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    if lot.status != Lot.Status.QUARANTINED:
        raise StockError("not_quarantined", lot=lot.number)
    Quarantine.objects.filter(lot=lot, decision="").update(
        decision=decision, decided_at=timezone.now(), decided_by=by, reason=reason
    )
    return lot


def release(*, lot: Lot, reason: str, by) -> Lot:
    """A campaign lead releases a quarantined lot (e.g. the manufacturer's
    stability data covers the excursion). Audited (lot_released).
    Errors: not_quarantined."""
    with transaction.atomic():
        lot = _decide(lot=lot, decision=Quarantine.Decision.RELEASED, reason=reason, by=by)
        Lot.objects.filter(pk=lot.pk).update(status=Lot.Status.AVAILABLE)
        fragments.bump(STOCK)  # an UPDATE: no signal
        _audit(Action.LOT_RELEASED, lot, by=by, reason=reason)
    lot.refresh_from_db()
    return lot


def discard(*, lot: Lot, reason: str, by) -> Lot:
    """A campaign lead discards a quarantined lot: every dose left of it, at
    every place, is wasted (cold chain). Audited (lot_discarded).
    Errors: not_quarantined."""
    with transaction.atomic():
        lot = _decide(lot=lot, decision=Quarantine.Decision.DISCARDED, reason=reason, by=by)
        for level in StockLevel.objects.select_for_update().filter(lot=lot, quantity__gt=0):
            _change(
                lot=lot,
                place={"site": level.site, "truck": level.truck},
                delta=-level.quantity,
                kind=Kind.WASTED,
                by=by,
                reason=StockMovement.WasteReason.COLD_CHAIN,
                note=reason[:500],
            )
        Lot.objects.filter(pk=lot.pk).update(status=Lot.Status.DISCARDED)
        fragments.bump(STOCK)  # an UPDATE: no signal
        _audit(Action.LOT_DISCARDED, lot, by=by, reason=reason)
    lot.refresh_from_db()
    return lot
