"""Measure the cold chain at scale, in-process on PostgreSQL: one API call of
10,000 readings, and the truck page's 24-hour chart with a year of readings
(525,600 rows) for the truck; prints the EXPLAIN of the chart's and the
excursion check's reads. Everything it writes is rolled back.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vaxfleet_x DJANGO_DEBUG=1 \\
        .venv/bin/python tools/bench/coldchain.py [--runs 5]

(the database must be migrated; best of `runs` timings are printed).
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DJANGO_STAFF_MFA_REQUIRED", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")


def timed(function, runs):
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - start)
    return min(seconds), statistics.median(seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone
    from rest_framework.test import APIClient

    from accounts.roles import Role
    from api.models import ApiToken
    from benchmarks.coldchain import year_of_readings
    from fleet import coldchain
    from fleet.models import TemperatureReading, Truck
    from tests.factories import UserFactory

    if connection.vendor != "postgresql":
        raise SystemExit("set DATABASE_URL to a PostgreSQL database")
    with transaction.atomic():
        manager = UserFactory(email="coldchain-bench@example.org", roles=[Role.FLEET_MANAGER])
        year_truck = Truck.objects.create(code="BEN-0001", plate="BENCH 1", make="Iveco", model="Daily", year=2024)
        ingest_truck = Truck.objects.create(code="BEN-0002", plate="BENCH 2", make="Iveco", model="Daily", year=2024)
        started = time.perf_counter()
        rows = year_of_readings(year_truck)
        print(f"seeded {rows:,} readings for one truck in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE fleet_temperaturereading")

        # Ingest: one API call of 10,000 new readings each run (JSON parsing,
        # validation, the insert and the excursion check), a new hour range each time.
        _token, secret = ApiToken.issue(user=manager, name="bench", days=1)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        url = f"/api/v1/trucks/{ingest_truck.pk}/temperatures/"
        now = timezone.now().replace(second=0, microsecond=0)
        runs = iter(range(options.runs * 2))

        def ingest():
            start = now - timedelta(minutes=10_000 * (next(runs) + 1))
            body = {
                "readings": [
                    {"at": (start + timedelta(minutes=m)).isoformat(), "celsius": 5.0 + (m % 9) / 10}
                    for m in range(10_000)
                ]
            }
            response = api.post(url, body, format="json")
            if response.status_code != 201 or response.json()["stored"] != 10_000:
                raise SystemExit(f"ingest failed: {response.status_code} {response.content[:300]!r}")

        best, median = timed(ingest, options.runs)
        print(
            f"POST 10,000 readings (one API call, test client): "
            f"best {best * 1000:.0f} ms, median {median * 1000:.0f} ms"
        )
        readings = [(now - timedelta(days=400, minutes=m), 5.0) for m in range(10_000)]
        best, median = timed(lambda: coldchain.record_readings(truck=ingest_truck, readings=readings), 1)
        print(f"record_readings alone (10,000, insert + excursion check): {best * 1000:.0f} ms")

        best, median = timed(lambda: coldchain.chart(year_truck), options.runs)
        print(
            f"chart data of the last 24 h from {rows:,} rows: best {best * 1000:.1f} ms, median {median * 1000:.1f} ms"
        )
        client = Client()
        client.force_login(manager)
        page = f"/fleet/trucks/{year_truck.pk}/"
        if client.get(page).status_code != 200:
            raise SystemExit("the truck page did not answer 200")
        best, median = timed(lambda: client.get(page), options.runs)
        print(f"truck page with the chart (test client): best {best * 1000:.1f} ms, median {median * 1000:.1f} ms")

        since = now - timedelta(hours=24)
        chart_query = (
            year_truck.temperatures.filter(at__gte=since, at__lte=now).order_by("at").values_list("at", "celsius")
        )
        check = (
            TemperatureReading.objects.filter(truck=year_truck, at__gte=now - timedelta(days=2), at__lte=now)
            .order_by("at")
            .values_list("at", "celsius")
        )
        print("\nEXPLAIN (ANALYZE, BUFFERS) of the chart's read:\n" + chart_query.explain(analyze=True, buffers=True))
        print("\nEXPLAIN of the excursion check's read (a 10,000-reading batch +- 24 h):\n" + check.explain())
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
