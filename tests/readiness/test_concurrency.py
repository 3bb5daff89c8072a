"""Odometer readings sent at the same moment: the lock on the truck row makes
them compare in turn, so the readings never go down in the order they were
recorded. Runs on PostgreSQL; SQLite serialises writers and proves nothing."""

import threading

import pytest
from django.db import connection, connections

from readiness import services
from readiness.errors import ReadinessError
from readiness.models import OdometerReading
from tests.fleet.factories import TruckFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so it cannot show a race (set DATABASE_URL)",
    ),
]


def test_readings_sent_at_once_never_leave_the_odometer_going_backwards():
    truck = TruckFactory()
    services.record_odometer(truck=truck, km=1_000)
    kms = [5_000, 1_500, 3_000, 2_000, 4_000, 1_200, 4_500, 2_500]
    barrier = threading.Barrier(len(kms))
    results = [None] * len(kms)

    def send(index, km):
        try:
            barrier.wait()
            services.record_odometer(truck=truck, km=km)
            results[index] = "ok"
        except ReadinessError as error:
            results[index] = error.code
        except Exception as error:  # any other failure must fail the test, with its text
            results[index] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i, km)) for i, km in enumerate(kms)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert set(results) <= {"ok", "odometer_backwards"}
    recorded = list(OdometerReading.objects.filter(truck=truck).order_by("id").values_list("km", flat=True))
    assert recorded == sorted(recorded)
    assert len(recorded) == 1 + results.count("ok")
