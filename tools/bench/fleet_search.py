"""How fast the driver list answers a search with 100,000 drivers on PostgreSQL.

    .venv/bin/python tools/bench/fleet_search.py [--drivers 100000] [--runs 30] [--explain]

Creates (once) the database named by BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/vaxfleet_fleetbench, migrates it, loads
the drivers with bulk_create (and 60,000 trucks, most of them assigned, so
the truck-code search has something to find), then requests
/fleet/drivers/?q=... through Django's test client as a clinic staff member:
`--runs` searches each for part of a truck code, a surname and a licence
number, and prints the median and 95th percentile per kind and overall.
The data is kept, so later runs only measure. It never touches the
development or test databases.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vaxfleet_fleetbench"

SYLLABLES = ["ba", "ca", "da", "fe", "go", "hu", "ja", "ke", "lo", "ma", "ne", "pi", "ro", "sa", "te", "vi", "za", "mo"]
FIRST_NAMES = ["Ana", "Luis", "Marta", "Jorge", "Elena", "Pablo", "Sara", "Iván", "Nora", "Hugo", "Lía", "Omar"]
PREFIXES = ["TRK", "VAN", "BUS", "MOB", "CLN", "AMB"]


def surname(index):
    a, b, c = index % 18, index // 18 % 18, index // 324 % 18
    return (SYLLABLES[a] + SYLLABLES[b] + SYLLABLES[c] + "z").capitalize()


def setup_django(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-used-anywhere-else-0123456789")
    os.environ["DJANGO_DEBUG"] = "0"  # no query log: measure what production runs
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    os.environ["DJANGO_STAFF_MFA_REQUIRED"] = "0"  # measure the list, not the two-factor redirect
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def create_database(database_url):
    import psycopg2

    parsed = urlparse(database_url)
    name = parsed.path.lstrip("/")
    connection = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
            print(f"Created database {name}")
    connection.close()


def load(drivers_wanted, trucks_wanted=60_000):
    import datetime

    from django.db import connection

    from fleet.models import Assignment, Client, Driver, Truck

    have = Driver.objects.count()
    if have >= drivers_wanted:
        print(f"{have:,} drivers already loaded")
        return
    rng = random.Random(42)  # noqa: S311 -- reproducible bench data, not a secret
    started = time.perf_counter()
    clients = [Client.objects.get_or_create(name=f"Bench client {n}")[0] for n in range(20)]
    today = datetime.date.today()
    Assignment.objects.all().delete()
    Driver.objects.all().delete()
    Truck.objects.all().delete()
    trucks = Truck.objects.bulk_create(
        [
            Truck(
                code=f"{PREFIXES[n // 10_000]}-{n % 10_000:04d}",
                plate=f"{n:05d} B{chr(65 + n % 26)}",
                make="Iveco",
                model="Daily",
                year=2010 + n % 15,
            )
            for n in range(trucks_wanted)
        ],
        batch_size=5000,
    )
    drivers = []
    for n in range(drivers_wanted):
        driver = Driver(
            first_name=rng.choice(FIRST_NAMES),
            last_name=surname(rng.randrange(18**3)),
            phone=f"+34 6{n:08d}",
            email=f"driver{n}@bench.example",
            licence_number=f"L{n * 7919 % 100_000_000:08d}",
            licence_expiry=today + datetime.timedelta(days=rng.randrange(-60, 2000)),
            is_active=rng.random() > 0.1,
            client=rng.choice(clients) if rng.random() > 0.3 else None,
        )
        # bulk_create skips save(): the search column is filled here, with
        # the truck the driver gets below (the first 55,000 drivers).
        truck_code = trucks[n].code if n < 55_000 else ""
        driver.search_text = driver.build_search_text(truck_code)
        drivers.append(driver)
    drivers = Driver.objects.bulk_create(drivers, batch_size=5000)
    Assignment.objects.bulk_create(
        [Assignment(driver=drivers[n], truck=trucks[n]) for n in range(min(55_000, len(drivers)))], batch_size=5000
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"Loaded {len(drivers):,} drivers and {len(trucks):,} trucks in {time.perf_counter() - started:.1f} s")


def measure(runs, explain):
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment

    from accounts.models import User
    from accounts.roles import Role
    from fleet.models import Driver

    setup_test_environment()
    # No collectstatic here: serve static names plainly, as the tests do.
    override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    user, _ = User.objects.get_or_create(
        email="bench-staff@example.org", defaults={"first_name": "B", "last_name": "S"}
    )
    from django.contrib.auth.models import Group

    user.groups.set([Group.objects.get(name=Role.CLINIC_STAFF.value)])
    client = Client()
    client.force_login(user)

    rng = random.Random(7)  # noqa: S311 -- reproducible search terms, not a secret
    total = Driver.objects.count()
    licences = [f"L{rng.randrange(total) * 7919 % 100_000_000:08d}" for _ in range(runs)]
    queries = {
        "part of a truck code": [f"{rng.choice(PREFIXES)[1:]}-{rng.randrange(1000):03d}" for _ in range(runs)],
        "surname": [surname(rng.randrange(18**3)) for _ in range(runs)],
        "licence number": licences,
        # Thousands of matches: the count stops at 1,000; one- and two-letter
        # terms are too short for trigrams and scan in name order instead.
        "broad (1,000+ matches)": [["trk", "van", "+34 6", "ro", "e", "bench.example"][n % 6] for n in range(runs)],
    }
    for _ in range(5):  # warm the connection and caches
        client.get("/fleet/drivers/", {"q": "warm"})

    overall = []
    print(f"\nGET /fleet/drivers/?q=... over {total:,} drivers, {runs} searches each:")
    for kind, terms in queries.items():
        timings = []
        for term in terms:
            started = time.perf_counter()
            response = client.get("/fleet/drivers/", {"q": term})
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"GET /fleet/drivers/?q={term} answered {response.status_code}")
        overall += timings
        print(
            f"  {kind:<22} median {statistics.median(timings):6.1f} ms   p95 {percentile(timings, 95):6.1f} ms"
            f"   (e.g. q={terms[0]!r}: {response.context['page_obj'].paginator.count:,} shown as matches)"
        )
    print(f"  {'all searches':<22} median {statistics.median(overall):6.1f} ms   p95 {percentile(overall, 95):6.1f} ms")

    if explain:
        from fleet.forms import DriverFilterForm

        form = DriverFilterForm({"q": queries["surname"][0]})
        drivers = form.filter(Driver.objects.select_related("client").with_current_truck())[:25]
        with connection.cursor() as cursor:
            sql, params = drivers.query.sql_with_params()
            cursor.execute(f"EXPLAIN ANALYZE {sql}", params)
            print("\n" + "\n".join(row[0] for row in cursor.fetchall()))


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drivers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--explain", action="store_true", help="print the plan of one surname search")
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    create_database(database_url)
    setup_django(database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    load(args.drivers)
    measure(args.runs, args.explain)


if __name__ == "__main__":
    main()
