"""Bench data at a chosen scale, loaded fast and kept between runs.

`seed(drivers=..., appointments=...)` adds, beside the demo data:

- `drivers` drivers (a tenth of them with a current truck; trucks are a
  tenth of the drivers), spread over the demo client companies;
- `appointments // 10` people who book (an unusable password: nobody signs
  in as them except through a bench session), each with about ten
  appointments over time;
- bench clinics whose daily volume does not depend on the scale (a clinic's
  day is a clinic's day): a larger scale means more clinics and more past
  days, as a real campaign grows. Past appointments are checked in with a
  dose recorded, no-shows or cancelled; from today on they are booked, at
  most one per person, as the database requires.

Rows go in with PostgreSQL's COPY (bulk_create elsewhere, for the tests),
with explicit primary keys so foreign keys need no round trip; the
sequences are reset afterwards. A `BenchSeed` row records what was loaded,
so a second run finds it and loads nothing.
"""

import csv
import datetime
import io
import itertools
import random
import time

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from benchmarks.models import BenchSeed
from benchmarks.scales import DATA_VERSION
from fleet.models import Assignment, Client, Driver, Truck
from vaccination.models import CODE_ALPHABET, CODE_LENGTH, Appointment, Site, Slot, Vaccine

SITE_PREFIX = "Bench clinic"
VACCINE_NAME = "Influenza 2026/27"
OPENS_HOUR, SLOTS_PER_DAY, SLOT_MINUTES, CAPACITY = 9, 32, 15, 8
# Seats taken per slot in the past; from today on fewer, and each person
# holds at most one booked appointment.
PAST_FILL, FUTURE_FILL = 5, 3
FUTURE_DAYS = 14
APPOINTMENTS_PER_PERSON = 10

FIRST_NAMES = ["Ana", "Luis", "Marta", "Jorge", "Elena", "Pablo", "Sara", "Iván", "Nora", "Hugo", "Lía", "Omar"]
SYLLABLES = ["ba", "ca", "da", "fe", "go", "hu", "ja", "ke", "lo", "ma", "ne", "pi", "ro", "sa", "te", "vi", "za", "mo"]
TRUCK_PREFIXES = "TRKVANBUSMOBCLNAMBLABVAXMEDCARHOS"


def surname(index: int) -> str:
    a, b, c = index % 18, index // 18 % 18, index // 324 % 18
    return (SYLLABLES[a] + SYLLABLES[b] + SYLLABLES[c] + "z").capitalize()


def bench_code(index: int) -> str:
    """A confirmation code unique per index, not sequential-looking, and never
    one the app's random codes are likely to draw (they start with any letter;
    these are a bijection of the index, so two indexes never collide)."""
    space = len(CODE_ALPHABET) ** CODE_LENGTH
    value = (index * 2_654_435_761 + 12_345) % space  # the multiplier is odd and coprime with 31^8
    letters = []
    for _ in range(CODE_LENGTH):
        value, digit = divmod(value, len(CODE_ALPHABET))
        letters.append(CODE_ALPHABET[digit])
    return "".join(letters)


def truck_code(index: int) -> str:
    prefix = TRUCK_PREFIXES[(index // 10_000) * 3 % len(TRUCK_PREFIXES) :][:3]
    return f"{prefix}-{index % 10_000:04d}"


def plan(*, drivers: int, appointments: int) -> dict:
    """How many clinics, days and people a scale needs (no database access)."""
    people = max(appointments // APPOINTMENTS_PER_PERSON, 1)
    per_site_day = SLOTS_PER_DAY * PAST_FILL
    future_per_site = SLOTS_PER_DAY * FUTURE_FILL * FUTURE_DAYS
    # Enough clinics that the coming two weeks' bookings stay at most one
    # per person; at least two, so the booking page has a choice.
    sites = max(2, min(appointments // 50_000, people // (2 * future_per_site)))
    future = min(sites * future_per_site, people // 2, appointments // 4)
    past_days = max(1, -(-(appointments - future) // (sites * per_site_day)))
    return {
        "drivers": drivers,
        "trucks": max(drivers // 10, 1),
        "people": people,
        "sites": sites,
        "past_days": past_days,
        "future_appointments": future,
        "appointments": appointments,
    }


def loaded(scale: str) -> BenchSeed | None:
    return BenchSeed.objects.filter(scale=scale, version=DATA_VERSION).first()


def seed(*, scale: str, drivers: int, appointments: int, log=print) -> BenchSeed:
    """Load the bench data for `scale` once; return its marker row."""
    existing = loaded(scale)
    if existing is not None:
        log(f"{scale} bench data already loaded ({existing.seconds:.0f} s on {existing.created_at:%Y-%m-%d})")
        return existing
    if BenchSeed.objects.exists():
        raise RuntimeError(
            "This database holds bench data of another scale or version; tools/bench/run.py uses one database per "
            "scale and rebuilds it when the version changes."
        )
    started = time.perf_counter()
    shape = plan(drivers=drivers, appointments=appointments)
    rng = random.Random(2026)  # noqa: S311 -- reproducible bench data, not a secret
    with transaction.atomic():
        _load_fleet(shape, rng, log)
        _load_vaccination(shape, rng, log)
        seconds = time.perf_counter() - started
        marker = BenchSeed.objects.create(
            scale=scale, version=DATA_VERSION, drivers=drivers, appointments=appointments, seconds=seconds
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # VACUUM too: it marks the pages all-visible, so index-only scans
            # skip the table, as they would on a database that has lived a
            # while. It cannot run inside a transaction (a test's): ANALYZE then.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    log(f"loaded {scale} bench data in {time.perf_counter() - started:.1f} s: {shape}")
    return marker


def _next_id(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _insert(model, columns: list[str], rows, chunk: int = 100_000) -> int:
    """Insert `rows` (an iterable of tuples in `columns` order, `id`
    included) as fast as the database allows, `chunk` rows at a time so a
    million never sit in memory at once, then move the id sequence past them."""
    quote = connection.ops.quote_name
    sql = (
        f"COPY {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "
        "FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    )
    count = 0
    for batch in _batches(rows, chunk):
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            csv.writer(buffer).writerows(["\\N" if value is None else value for value in row] for row in batch)
            buffer.seek(0)
            with connection.cursor() as cursor:
                cursor.cursor.copy_expert(sql, buffer)
        else:
            model.objects.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in batch])
        count += len(batch)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(statement)
    return count


def _batches(rows, size):
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _load_fleet(shape, rng, log):
    started = time.perf_counter()
    now = timezone.now()
    today = timezone.localdate()
    clients = list(Client.objects.values_list("pk", flat=True)) or [None]
    first_truck = _next_id(Truck)
    trucks = shape["trucks"]
    codes_taken = set(Truck.objects.values_list("code", flat=True))
    truck_rows, truck_codes = [], []
    index = 5_000  # the demo's trucks use the first codes of TRK
    while len(truck_rows) < trucks:
        code = truck_code(index)
        index += 1
        if code in codes_taken:
            continue
        truck_id = first_truck + len(truck_rows)
        truck_codes.append(code)
        truck_rows.append(
            (truck_id, code, f"BN {truck_id:07d}", "Iveco", "Daily", 2012 + truck_id % 14, "active", now, now)
        )
    _insert(Truck, ["id", "code", "plate", "make", "model", "year", "status", "created_at", "updated_at"], truck_rows)

    first_driver = _next_id(Driver)
    driver_rows = []
    for n in range(shape["drivers"]):
        driver = Driver(
            first_name=rng.choice(FIRST_NAMES),
            last_name=surname(rng.randrange(18**3)),
            phone=f"+34 7{n:08d}",
            email=f"driver{n}@bench.example",
            licence_number=f"BL{n:08d}",
        )
        truck = truck_codes[n] if n < trucks else ""
        driver_rows.append(
            (
                first_driver + n,
                driver.first_name,
                driver.last_name,
                driver.phone.as_e164,  # as the field stores it (its str() is the display format)
                driver.email,
                driver.licence_number,
                "",  # login_email: bench drivers sign in through bench_sessions, not a linked login
                today + datetime.timedelta(days=rng.randrange(-60, 2000)),
                "",
                rng.random() > 0.1,
                rng.choice(clients) if rng.random() > 0.3 else None,
                driver.build_search_text(truck),
                now,
                now,
            )
        )
    _insert(
        Driver,
        [
            "id",
            "first_name",
            "last_name",
            "phone",
            "email",
            "licence_number",
            "login_email",
            "licence_expiry",
            "address",
            "is_active",
            "client_id",
            "search_text",
            "created_at",
            "updated_at",
        ],
        driver_rows,
    )
    first_assignment = _next_id(Assignment)
    since = now - datetime.timedelta(days=30)
    assignments = min(trucks, shape["drivers"])
    _insert(
        Assignment,
        ["id", "driver_id", "truck_id", "since"],
        ((first_assignment + n, first_driver + n, first_truck + n, since) for n in range(assignments)),
    )
    log(f"  {shape['drivers']:,} drivers, {trucks:,} trucks in {time.perf_counter() - started:.1f} s")


def _load_vaccination(shape, rng, log):
    started = time.perf_counter()
    now = timezone.now()
    vaccine, _ = Vaccine.objects.get_or_create(name=VACCINE_NAME, defaults={"doses_required": 1})
    nurse = User.objects.filter(email="staff@example.com").first()
    sites = []
    for number in range(shape["sites"]):
        site, _ = Site.objects.get_or_create(
            name=f"{SITE_PREFIX} {number + 1:02d}", defaults={"address": f"{number + 1} Bench Street\nBenchtown"}
        )
        if nurse is not None:
            site.staff.add(nurse)
        sites.append(site)

    first_user = _next_id(User)
    unusable = make_password(None)  # nobody signs in as them but through a bench session
    people = shape["people"]
    _insert(
        User,
        [
            "id",
            "password",
            "email",
            "first_name",
            "last_name",
            "phone",
            "is_active",
            "is_staff",
            "is_superuser",
            "date_joined",
            "authz_version",
            "language",
        ],
        (
            (
                first_user + n,
                unusable,
                f"person{n}@bench.example",
                FIRST_NAMES[n % len(FIRST_NAMES)],
                surname(n),
                "",
                True,
                False,
                False,
                now,
                0,
                "",
            )
            for n in range(people)
        ),
    )

    # Slots: every clinic, every day from `past_days` ago to FUTURE_DAYS ahead.
    today = timezone.localdate()
    first_day = today - datetime.timedelta(days=shape["past_days"])
    days = shape["past_days"] + FUTURE_DAYS
    first_slot = _next_id(Slot)
    slot_rows, slot_ids_past, slot_ids_future = [], [], []
    length = datetime.timedelta(minutes=SLOT_MINUTES)
    for day_index in range(days):
        day = first_day + datetime.timedelta(days=day_index)
        for site in sites:
            opens = datetime.datetime.combine(day, datetime.time(OPENS_HOUR), tzinfo=site.tzinfo)
            for n in range(SLOTS_PER_DAY):
                start = opens + n * length
                slot_id = first_slot + len(slot_rows)
                slot_rows.append([slot_id, site.pk, vaccine.pk, start, start + length, CAPACITY, 0])
                (slot_ids_past if day < today else slot_ids_future).append(slot_id)

    # Appointments: the coming ones first (one booked per person), then the
    # past ones, each person in turn so everyone has a history. Slots go in
    # first with no seat taken; one UPDATE counts the seats afterwards.
    _insert(Slot, ["id", "site_id", "vaccine_id", "start", "end", "capacity", "booked_count"], slot_rows)
    future = shape["future_appointments"]
    past = shape["appointments"] - future
    first_appointment = _next_id(Appointment)
    nurse_id = nurse.pk if nurse else None
    starts = {row[0]: (row[3], row[1], row[2]) for row in slot_rows}
    seats = [slot_id for slot_id in slot_ids_past for _ in range(PAST_FILL)]
    rng.shuffle(seats)

    def appointments():
        for n in range(future):
            # Spread over the coming slots, a few seats each, never a person twice.
            yield n, slot_ids_future[n % len(slot_ids_future)], n, "booked"
        for n in range(past):
            roll = rng.random()
            status = "checked_in" if roll < 0.8 and nurse_id else "no_show" if roll < 0.9 else "cancelled"
            yield future + n, seats[n % len(seats)], n % people, status

    def rows():
        for n, slot_id, person, status in appointments():
            start, site_id, vaccine_id = starts[slot_id]
            checked = status == "checked_in"
            index = first_appointment + n
            yield (
                index,
                first_user + person,
                slot_id,
                vaccine_id,
                1,
                status,
                bench_code(index),
                start - datetime.timedelta(days=7),
                start,
                start - datetime.timedelta(days=1) if status == "cancelled" else None,
                0,
                None,
                start if checked else None,
                nurse_id if checked else None,
                site_id if checked else None,
                "BENCH-LOT" if checked else "",
                start + datetime.timedelta(minutes=5) if checked else None,
                nurse_id if checked else None,
            )

    count = _insert(
        Appointment,
        [
            "id",
            "person_id",
            "slot_id",
            "vaccine_id",
            "dose_number",
            "status",
            "code",
            "created_at",
            "updated_at",
            "cancelled_at",
            "sequence",
            "reminder_sent_at",
            "checked_in_at",
            "checked_in_by_id",
            "checked_in_site_id",
            "vaccine_lot",
            "dose_given_at",
            "dose_given_by_id",
        ],
        rows(),
    )
    taken = (
        Appointment.objects.filter(slot=OuterRef("pk"))
        .exclude(status=Appointment.Status.CANCELLED)
        .order_by()
        .values("slot")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Slot.objects.filter(pk__gte=first_slot).update(booked_count=Coalesce(Subquery(taken), 0))
    log(
        f"  {people:,} people, {len(slot_rows):,} slots at {len(sites)} clinics, {count:,} appointments "
        f"in {time.perf_counter() - started:.1f} s"
    )
