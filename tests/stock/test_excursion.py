"""A truck's fridge leaves the range: its lots are quarantined, the doses
given from them listed, and the people who must act alerted."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.roles import Role
from audit.models import Action, AuditEvent
from fleet import coldchain
from fleet.models import Excursion, TemperatureReading
from outbox.models import Message
from stock import queries, services
from stock.models import ColdChainAlert, Lot, Quarantine, StockMovement
from tests.factories import UserFactory
from vaccination.checkin import record_dose
from vaccination.lots import LotRefused

pytestmark = pytest.mark.django_db


def readings(start, minutes, celsius_at):
    return [(start + timedelta(minutes=m), celsius_at(m)) for m in range(minutes)]


def test_a_40_minute_excursion_quarantines_both_lots_lists_six_doses_and_alerts(
    make_lot,
    mobile_site,
    truck,
    checked_in,
    clinic_staff,
    fleet_manager,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    first, second = make_lot("LOT-A"), make_lot("LOT-B")
    with time_machine.travel(timezone.now() - timedelta(hours=3)):  # loaded this morning
        services.receive(lot=first, quantity=10, truck=truck, by=clinic_staff)
        services.receive(lot=second, quantity=10, truck=truck, by=clinic_staff)
    people = []
    for index in range(6):
        appointment = checked_in(mobile_site)
        record_dose(appointment=appointment, lot="LOT-A" if index % 2 else "LOT-B", by=clinic_staff)
        people.append(appointment.person)
    now = timezone.now().replace(second=0, microsecond=0)
    # Two hours of readings ending now: minutes 40..79 at 11 °C, the rest at 5 °C.
    start = now - timedelta(minutes=119)
    batch = readings(start, 120, lambda m: 11.0 if 40 <= m < 80 else 5.0)
    # The doses were given "since the stretch began": now, after its start.

    with django_capture_on_commit_callbacks(execute=True):
        result = coldchain.record_readings(truck=truck, readings=batch)

    assert result.stored == 120
    excursion = Excursion.objects.get()
    assert excursion.minutes == 40
    assert (excursion.low_celsius, excursion.high_celsius, excursion.worst_celsius) == (2.0, 8.0, 11.0)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == Lot.Status.QUARANTINED
    assert Quarantine.objects.filter(excursion=excursion).count() == 2
    affected = queries.affected_doses(excursion)
    assert sorted(dose.appointment.person.pk for dose in affected) == sorted(person.pk for person in people)
    with pytest.raises(LotRefused) as refused:
        record_dose(appointment=checked_in(mobile_site), lot="LOT-A", by=clinic_staff)
    assert refused.value.code == "lot_quarantined"
    alert = ColdChainAlert.objects.get(excursion=excursion)
    assert set(alert.recipients.all()) == {clinic_staff, fleet_manager}
    # Queued in the outbox for each of them (sent in-process without a broker).
    owed = Message.objects.filter(kind="cold_chain_alert")
    assert sorted(owed.values_list("to", flat=True)) == sorted([clinic_staff.email, fleet_manager.email])
    alerts = [mail for mail in mailoutbox if "Cold chain" in mail.subject]
    assert sorted(mail.to[0] for mail in alerts) == sorted([clinic_staff.email, fleet_manager.email])
    assert "LOT-A" in alerts[0].body
    assert "LOT-B" in alerts[0].body
    assert AuditEvent.objects.filter(action=Action.LOT_QUARANTINED).count() == 2


def test_a_stretch_shorter_than_the_grace_is_no_excursion(truck):
    start = timezone.now() - timedelta(hours=1)
    coldchain.record_readings(truck=truck, readings=readings(start, 60, lambda m: 9.0 if m < 15 else 5.0))

    assert not Excursion.objects.exists()


def test_readings_sent_twice_are_stored_once_and_find_the_excursion_once(truck):
    start = timezone.now() - timedelta(hours=2)
    batch = readings(start, 100, lambda m: 1.0 if 10 <= m < 50 else 4.0)

    coldchain.record_readings(truck=truck, readings=batch)
    again = coldchain.record_readings(truck=truck, readings=list(reversed(batch)))

    assert again.stored == 0
    assert TemperatureReading.objects.count() == 100
    assert Excursion.objects.count() == 1


def test_an_excursion_split_over_two_batches_is_found_when_the_second_arrives(truck):
    start = timezone.now() - timedelta(hours=2)
    batch = readings(start, 60, lambda m: 12.0 if m >= 50 else 5.0)
    coldchain.record_readings(truck=truck, readings=batch)
    assert not Excursion.objects.exists()

    later = readings(start + timedelta(minutes=60), 30, lambda m: 12.0 if m < 20 else 5.0)
    coldchain.record_readings(truck=truck, readings=later)

    excursion = Excursion.objects.get()
    assert excursion.minutes == 30


def test_the_range_is_the_narrowest_of_the_lots_on_board(make_lot, truck, clinic_staff):
    wide = make_lot("WIDE", min_celsius=-25, max_celsius=-15)
    services.receive(lot=wide, quantity=1, truck=truck, by=clinic_staff)
    assert coldchain.cold_range(truck) == (-25.0, -15.0)


def test_a_lead_releases_or_discards_a_quarantined_lot_and_both_are_audited(make_lot, truck, clinic_staff):
    lead = UserFactory(roles=[Role.CAMPAIGN_LEAD])
    kept, lost = make_lot("KEEP"), make_lot("LOSE")
    with time_machine.travel(timezone.now() - timedelta(hours=3)):
        for lot in (kept, lost):
            services.receive(lot=lot, quantity=5, truck=truck, by=clinic_staff)
    start = timezone.now() - timedelta(hours=1)
    coldchain.record_readings(truck=truck, readings=readings(start, 60, lambda m: 10.0 if m < 30 else 5.0))

    services.release(lot=kept, reason="Manufacturer's stability data covers 30 min at 10 °C", by=lead)
    services.discard(lot=lost, reason="No stability data", by=lead)

    kept.refresh_from_db()
    lost.refresh_from_db()
    assert (kept.status, lost.status) == (Lot.Status.AVAILABLE, Lot.Status.DISCARDED)
    waste = StockMovement.objects.get(kind=StockMovement.Kind.WASTED)
    assert (waste.lot, waste.quantity, waste.reason) == (lost, -5, "cold_chain")
    assert AuditEvent.objects.filter(action__in=[Action.LOT_RELEASED, Action.LOT_DISCARDED]).count() == 2
