"""The cold chain's part of a bench run: a truck with a year of readings (one
a minute: 525,600 rows) for the truck page, and a fleet manager's token with
batches of 1,000 new readings for the temperature POST."""

import json
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from accounts.models import User
from api.models import ApiToken
from fleet.models import TemperatureReading, Truck

YEAR_MINUTES = 365 * 24 * 60
BATCH = 1000


def year_of_readings(truck) -> int:
    """One reading a minute for the year to now, written once (one SQL
    statement, about ten seconds); later runs find them. Returns the count."""
    have = TemperatureReading.objects.filter(truck=truck).count()
    if have < YEAR_MINUTES and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO fleet_temperaturereading (truck_id, at, celsius) "
                "SELECT %s, date_trunc('minute', now()) - make_interval(mins => n), "
                "round((5 + 1.5 * sin(n / 229.2))::numeric, 1) "
                "FROM generate_series(0, %s - 1) AS n ON CONFLICT (truck_id, at) DO NOTHING",
                [truck.pk, YEAR_MINUTES],
            )
        have = TemperatureReading.objects.filter(truck=truck).count()
    return have


def build(batches=800) -> dict:
    """The fixture's "coldchain" part; empty without trucks or the demo fleet
    manager. `batches`: a fresh one for every temperature POST of make bench,
    266 a round (400 ran out at 57 a second, and a batch sent again is the
    cheaper "all known" answer)."""
    trucks = list(Truck.objects.order_by("pk")[:2])
    manager = User.objects.filter(email="fleet@example.com").first()
    if len(trucks) < 2 or manager is None:
        return {}
    year_truck, post_truck = trucks
    year_of_readings(year_truck)
    _token, secret = ApiToken.issue(user=manager, name="bench temperatures", days=1)
    # Each batch is 1,000 minutes no batch of this run shares, going back from
    # the start of the hour; a batch sent again is the idempotent "all known" answer.
    newest = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=1)
    TemperatureReading.objects.filter(truck=post_truck).delete()
    bodies = []
    for number in range(batches):
        start = newest - timedelta(minutes=BATCH * (number + 1))
        readings = [
            {"at": (start + timedelta(minutes=m)).isoformat(), "celsius": round(5 + (m % 7) / 10, 1)}
            for m in range(BATCH)
        ]
        bodies.append(json.dumps({"readings": readings}, separators=(",", ":")))
    return {"year_truck": year_truck.pk, "post_truck": post_truck.pk, "token": secret, "bodies": bodies}
