"""The movements ledger and the quantity on hand derived from it."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import Action, AuditEvent
from stock import services
from stock.errors import StockError
from stock.models import LedgerError, Lot, StockLevel, StockMovement
from vaccination import lots
from vaccination.checkin import record_dose
from vaccination.lots import LotRefused

pytestmark = pytest.mark.django_db


def on_hand(lot, **place):
    return StockLevel.objects.at(**place).get(lot=lot).quantity


def ledger(lot, **place):
    return StockMovement.objects.filter(lot=lot).at(**place).quantity()


def test_receiving_doses_writes_a_movement_and_the_quantity_follows_it(lot, site, clinic_staff):
    services.receive(lot=lot, quantity=10, site=site, by=clinic_staff)
    services.receive(lot=lot, quantity=5, site=site, by=clinic_staff)

    assert on_hand(lot, site=site) == ledger(lot, site=site) == 15
    assert AuditEvent.objects.filter(action=Action.STOCK_RECEIVED).count() == 2


def test_moving_doses_to_a_truck_is_two_rows_with_one_transfer(stocked, site, truck, clinic_staff):
    services.move(lot=stocked, quantity=4, from_site=site, to_truck=truck, by=clinic_staff)

    rows = StockMovement.objects.filter(kind=StockMovement.Kind.MOVED)
    assert sorted(rows.values_list("quantity", flat=True)) == [-4, 4]
    assert len({row.transfer for row in rows}) == 1
    assert on_hand(stocked, site=site) == ledger(stocked, site=site) == 6
    assert on_hand(stocked, truck=truck) == ledger(stocked, truck=truck) == 4


def test_moving_more_than_is_there_is_refused_and_changes_nothing(stocked, site, truck, clinic_staff):
    with pytest.raises(StockError) as refused:
        services.move(lot=stocked, quantity=11, from_site=site, to_truck=truck, by=clinic_staff)

    assert refused.value.code == "not_enough"
    assert on_hand(stocked, site=site) == 10
    assert not StockMovement.objects.filter(kind=StockMovement.Kind.MOVED).exists()


def test_wasting_needs_a_reason_and_takes_the_doses(stocked, site, clinic_staff):
    services.waste(lot=stocked, quantity=2, reason="broken", site=site, by=clinic_staff)

    assert on_hand(stocked, site=site) == ledger(stocked, site=site) == 8
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMovement.objects.create(lot=stocked, kind="wasted", quantity=-1, site=site)


def test_a_count_records_the_counted_figure_and_adjusts_the_difference(stocked, site, clinic_staff):
    movement = services.count(lot=stocked, counted=7, site=site, by=clinic_staff, note="two vials broken")

    assert (movement.kind, movement.quantity, movement.counted) == ("adjusted", -3, 7)
    assert on_hand(stocked, site=site) == ledger(stocked, site=site) == 7


def test_a_count_that_agrees_is_still_on_record(stocked, site, clinic_staff):
    movement = services.count(lot=stocked, counted=10, site=site, by=clinic_staff)

    assert (movement.quantity, movement.counted) == (0, 10)


def test_movements_are_never_changed_or_deleted(stocked):
    movement = StockMovement.objects.get()
    with pytest.raises(LedgerError):
        movement.save()
    with pytest.raises(LedgerError):
        movement.delete()
    with pytest.raises(LedgerError):
        StockMovement.objects.update(note="x")
    with pytest.raises(LedgerError):
        StockMovement.objects.all().delete()


def test_the_database_refuses_a_negative_quantity_on_hand(stocked, site):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(lot=stocked, site=site).update(quantity=-1)


def test_lot_numbers_are_unique_per_vaccine_in_any_case(make_lot):
    make_lot("fk1234")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_lot("FK1234")


def test_a_lot_expired_in_the_past_can_be_recorded(make_lot):
    lot = make_lot("OLD1", expires_on=timezone.localdate() - timedelta(days=3))
    assert lot.is_expired()


def test_the_dose_record_takes_a_dose_from_the_lot_in_the_same_transaction(stocked, site, checked_in, clinic_staff):
    appointment = checked_in(site)

    record_dose(appointment=appointment, lot="fk1234", by=clinic_staff)

    appointment.refresh_from_db()
    assert appointment.vaccine_lot == "FK1234"
    movement = StockMovement.objects.get(kind=StockMovement.Kind.ADMINISTERED)
    assert (movement.appointment, movement.quantity, movement.site) == (appointment, -1, site)
    assert on_hand(stocked, site=site) == ledger(stocked, site=site) == 9


def test_a_mobile_clinic_takes_its_doses_from_its_truck(lot, mobile_site, truck, checked_in, clinic_staff):
    services.receive(lot=lot, quantity=3, truck=truck, by=clinic_staff)

    record_dose(appointment=checked_in(mobile_site), lot="FK1234", by=clinic_staff)

    assert on_hand(lot, truck=truck) == 2


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"status": Lot.Status.QUARANTINED}, "lot_quarantined"),
        ({"status": Lot.Status.DISCARDED}, "lot_discarded"),
        ({"expires_on": timezone.localdate() - timedelta(days=1)}, "lot_expired"),
    ],
)
def test_the_dose_record_refuses_an_unusable_lot_and_records_nothing(
    stocked, site, checked_in, clinic_staff, change, code
):
    Lot.objects.filter(pk=stocked.pk).update(**change)
    appointment = checked_in(site)

    with pytest.raises(LotRefused) as refused:
        record_dose(appointment=appointment, lot="FK1234", by=clinic_staff)

    assert refused.value.code == code
    assert stocked.number in refused.value.message
    appointment.refresh_from_db()
    assert appointment.dose_given_at is None
    assert on_hand(stocked, site=site) == 10


def test_the_dose_record_refuses_an_empty_lot_and_an_unknown_one(lot, site, checked_in, clinic_staff):
    services.receive(lot=lot, quantity=1, site=site, by=clinic_staff)
    record_dose(appointment=checked_in(site), lot="FK1234", by=clinic_staff)

    with pytest.raises(LotRefused) as empty:
        record_dose(appointment=checked_in(site), lot="FK1234", by=clinic_staff)
    with pytest.raises(LotRefused) as unknown:
        record_dose(appointment=checked_in(site), lot="NOPE", by=clinic_staff)

    assert (empty.value.code, unknown.value.code) == ("lot_empty", "lot_unknown")


def test_the_desk_offers_the_usable_lots_on_hand_soonest_expiry_first(make_lot, site, clinic_staff, vaccine):
    from vaccination import lots

    soon = make_lot("SOON", expires_on=timezone.localdate() + timedelta(days=5))
    later = make_lot("LATER")
    held = make_lot("HELD", status=Lot.Status.QUARANTINED)
    make_lot("EMPTY")
    for each in (later, soon, held):
        services.receive(lot=each, quantity=2, site=site, by=clinic_staff)

    assert [number for number, _label in lots.choices(site=site, vaccine=vaccine)] == ["SOON", "LATER"]


@override_settings(DEBUG=False)  # the page cache is off in DEBUG
def test_the_desks_lot_choices_are_kept_until_stock_changes(stocked, site, vaccine, clinic_staff):
    """Every check-in answer offers the lots on hand: read once, then from the
    page cache until a dose, a count or a quarantine changes stock."""
    first = lots.choices(site=site, vaccine=vaccine)
    assert [number for number, _label in first] == ["FK1234"]
    assert "10 left" in first[0][1]
    with CaptureQueriesContext(connection) as read:
        assert lots.choices(site=site, vaccine=vaccine) == first
    assert len(read) == 0

    services.waste(lot=stocked, quantity=1, reason="broken", by=clinic_staff, site=site)
    assert "9 left" in lots.choices(site=site, vaccine=vaccine)[0][1]
