"""Two desks using the last dose of a lot at the same moment.

Needs real concurrent transactions, so it runs on PostgreSQL with a
transactional test database; SQLite serialises writers and proves nothing."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from accounts.roles import Role
from stock import services
from stock.models import Lot, StockLevel, StockMovement
from tests.factories import UserFactory, recent_start_today
from vaccination.checkin import check_in, record_dose
from vaccination.lots import LotRefused
from vaccination.models import Appointment, Site, Slot, Vaccine

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so it cannot show a race (set DATABASE_URL)",
    ),
]


def test_two_desks_using_the_last_dose_give_one_dose():
    nurse = UserFactory(roles=[Role.CLINIC_STAFF])
    site = Site.objects.create(name="Race Clinic", address="1 Fast Lane", time_zone="Europe/Madrid")
    vaccine = Vaccine.objects.create(name="Race vaccine")
    lot = Lot.objects.create(vaccine=vaccine, number="LAST1", expires_on=timezone.localdate() + timedelta(days=60))
    services.receive(lot=lot, quantity=1, site=site, by=nurse)
    start = recent_start_today(site)
    slot = Slot.objects.create(site=site, vaccine=vaccine, start=start, end=start + timedelta(minutes=15), capacity=2)
    appointments = []
    for _ in range(2):
        appointment = Appointment.objects.create(person=UserFactory(), slot=slot)
        check_in(code=appointment.code, desk_user=nurse, site=site)
        appointment.refresh_from_db()
        appointments.append(appointment)

    barrier = threading.Barrier(2)
    results = [None, None]

    def desk(index):
        try:
            barrier.wait()
            record_dose(appointment=appointments[index], lot="LAST1", by=nurse)
            results[index] = "dose"
        except LotRefused as refused:
            results[index] = refused.code
        except Exception as error:  # any other failure must fail the test, with its text
            results[index] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=desk, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["dose", "lot_empty"]
    assert StockLevel.objects.get(lot=lot, site=site).quantity == 0
    assert StockMovement.objects.filter(lot=lot).quantity() == 0
    assert Appointment.objects.filter(dose_given_at__isnull=False).count() == 1
