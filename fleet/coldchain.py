"""The cold chain of a truck: its fridge's temperature readings and the
excursions found in them.

fleet knows the readings and the truck; the vaccine lots on board are the
stock side's (a higher app, see STYLE.md), so:

- the allowed range comes from `range_sources` the stock app registers (the
  narrowest range of the lots on board; DEFAULT_RANGE when none answers);
- an excursion is announced with the `excursion_detected` signal, sent inside
  the ingest's transaction: the stock app quarantines the lots on board at
  once, and if it fails the readings are not stored either (the logger retries;
  ingest is idempotent).
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from fleet.models import READING_MAX_CELSIUS, READING_MIN_CELSIUS, Excursion, TemperatureReading, Truck

# Vaccines' usual storage range (°C) when no lot on board says otherwise.
DEFAULT_RANGE = (2.0, 8.0)
MAX_READINGS = 10_000
# A logger's clock may run a little ahead of ours.
CLOCK_SKEW = timedelta(minutes=5)
# An excursion may have begun in an earlier batch of readings: the check
# looks this far either side of the new ones.
LOOK_AROUND = timedelta(hours=24)

# excursion_detected(sender=Excursion, excursion=<Excursion>)
excursion_detected = Signal()
# Callables `source(truck) -> list[(low, high)]`, registered by apps that know
# what a truck carries.
range_sources = []

READING_ERRORS = {
    "not_a_list": _("Send the readings as a list."),
    "too_many": _("At most %(max)s readings in one call."),
    "empty": _("Send at least one reading."),
    "not_an_object": _("Each reading is an object with “at” and “celsius”."),
    "at_missing": _("The time (“at”) is missing."),
    "at_invalid": _("The time (“at”) is not an ISO 8601 date and time."),
    "at_no_zone": _("The time (“at”) needs a UTC offset, such as Z or +02:00."),
    "at_future": _("The time (“at”) is in the future."),
    "celsius_missing": _("The temperature (“celsius”) is missing."),
    "celsius_invalid": _("The temperature (“celsius”) is not a number."),
    "celsius_implausible": _("The temperature (“celsius”) must be between %(low)s and %(high)s °C."),
}


class ReadingError(Exception):
    """A batch of readings was refused; nothing of it is stored. `row` is the
    0-based index of the first bad reading (None for the batch itself),
    `field` the field at fault."""

    def __init__(self, code: str, *, row: int | None = None, field: str = ""):
        super().__init__(code)
        self.code = code
        self.row = row
        self.field = field

    @property
    def message(self) -> str:
        facts = {"low": READING_MIN_CELSIUS, "high": READING_MAX_CELSIUS, "max": MAX_READINGS}
        return str(READING_ERRORS[self.code]) % facts


def _parse_at(value, row: int) -> datetime:
    if value in (None, ""):
        raise ReadingError("at_missing", row=row, field="at")
    if isinstance(value, datetime):
        at = value
    else:
        try:
            at = parse_datetime(str(value).strip())
        except ValueError:
            at = None
        if at is None:
            raise ReadingError("at_invalid", row=row, field="at")
    if timezone.is_naive(at):
        raise ReadingError("at_no_zone", row=row, field="at")
    return at


def _parse_celsius(value, row: int) -> float:
    if value is None or value == "":
        raise ReadingError("celsius_missing", row=row, field="celsius")
    if isinstance(value, bool):  # JSON true is not 1 °C
        raise ReadingError("celsius_invalid", row=row, field="celsius")
    try:
        celsius = float(value)
    except (TypeError, ValueError):
        raise ReadingError("celsius_invalid", row=row, field="celsius") from None
    if math.isnan(celsius) or math.isinf(celsius):
        raise ReadingError("celsius_invalid", row=row, field="celsius")
    if not READING_MIN_CELSIUS <= celsius <= READING_MAX_CELSIUS:
        raise ReadingError("celsius_implausible", row=row, field="celsius")
    return celsius


def parse_readings(items) -> list[tuple[datetime, float]]:
    """Validate a batch `[{"at": ..., "celsius": ...}, ...]` as a whole.

    Returns (at, celsius) pairs, one per instant (a repeated instant keeps
    its first reading). Raises ReadingError naming the first bad row."""
    if not isinstance(items, list | tuple):
        raise ReadingError("not_a_list", field="readings")
    if not items:
        raise ReadingError("empty", field="readings")
    if len(items) > MAX_READINGS:
        raise ReadingError("too_many", field="readings")
    latest = timezone.now() + CLOCK_SKEW
    readings = {}
    for row, item in enumerate(items):
        if not isinstance(item, dict):
            raise ReadingError("not_an_object", row=row)
        at = _parse_at(item.get("at"), row)
        if at > latest:
            raise ReadingError("at_future", row=row, field="at")
        celsius = _parse_celsius(item.get("celsius"), row)
        readings.setdefault(at, celsius)
    return list(readings.items())


@dataclass(frozen=True)
class IngestResult:
    received: int
    stored: int
    excursions: list

    @property
    def duplicates(self) -> int:
        return self.received - self.stored


def cold_range(truck: Truck) -> tuple[float, float]:
    """The range the truck's fridge must hold: the narrowest range of what it carries."""
    ranges = [pair for source in range_sources for pair in source(truck)]
    if not ranges:
        return DEFAULT_RANGE
    return max(low for low, _high in ranges), min(high for _low, high in ranges)


def grace() -> timedelta:
    return timedelta(minutes=settings.COLD_CHAIN_GRACE_MINUTES)


def _insert(truck: Truck, readings) -> int:
    """Store the readings not stored yet; how many were new."""
    if connection.vendor == "postgresql":
        # One statement for the whole batch; ON CONFLICT makes a resent
        # batch harmless. The two columns go as array literals in text: a
        # third faster than psycopg2 adapting 10,000 values one by one.
        table = TemperatureReading._meta.db_table
        instants = "{" + ",".join(f'"{at.isoformat()}"' for at, _c in readings) + "}"
        values = "{" + ",".join(repr(float(c)) for _at, c in readings) + "}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (truck_id, at, celsius) "
                "SELECT %s, unnest(%s::text::timestamptz[]), unnest(%s::text::float8[]) "
                "ON CONFLICT (truck_id, at) DO NOTHING",
                [truck.pk, instants, values],
            )
            return cursor.rowcount
    instants = [at for at, _c in readings]
    existing = TemperatureReading.objects.filter(truck=truck, at__gte=min(instants), at__lte=max(instants))
    before = existing.count()
    TemperatureReading.objects.bulk_create(
        [TemperatureReading(truck=truck, at=at, celsius=celsius) for at, celsius in readings],
        ignore_conflicts=True,
        batch_size=2000,
    )
    return existing.count() - before


def record_readings(*, truck: Truck, readings: list[tuple[datetime, float]]) -> IngestResult:
    """Store a validated batch (parse_readings) and look for excursions around it.

    Idempotent on (truck, at): a reading already stored is skipped. The truck
    row is locked for the call, so two batches of one truck never detect the
    same excursion twice. Sends `excursion_detected` for each new excursion,
    inside the transaction."""
    with transaction.atomic():
        Truck.objects.select_for_update().filter(pk=truck.pk).values_list("pk").first()
        stored = _insert(truck, readings)
        instants = [at for at, _c in readings]
        excursions = detect_excursions(truck=truck, since=min(instants), until=max(instants)) if stored else []
    return IngestResult(received=len(readings), stored=stored, excursions=excursions)


def _stretches(rows, low, high):
    """(start, back_in_range_at or None, last_out_at, worst) of each run of readings out of range."""
    start = worst = last_out = None
    for at, celsius in rows:
        if celsius < low or celsius > high:
            if start is None:
                start, worst = at, celsius
            elif abs(celsius - (low + high) / 2) > abs(worst - (low + high) / 2):
                worst = celsius
            last_out = at
        elif start is not None:
            yield start, at, last_out, worst
            start = None
    if start is not None:
        yield start, None, last_out, worst


def detect_excursions(*, truck: Truck, since: datetime, until: datetime) -> list:
    """Find the stretches out of range around [since, until] that lasted
    longer than the grace; record each (a stretch overlapping a known one
    extends it) and announce the new ones. Returns the new excursions.
    Call inside record_readings' transaction (the truck is locked)."""
    low, high = cold_range(truck)
    rows = (
        TemperatureReading.objects.filter(truck=truck, at__gte=since - LOOK_AROUND, at__lte=until + LOOK_AROUND)
        .order_by("at")
        .values_list("at", "celsius")
    )
    new = []
    for start, back_at, last_out, worst in _stretches(rows.iterator(chunk_size=5000), low, high):
        if (back_at or last_out) - start <= grace():
            continue
        known = (
            Excursion.objects.filter(truck=truck, started_at__lte=back_at or last_out, last_out_at__gte=start).first()
            or Excursion.objects.filter(truck=truck, started_at__lte=start, ended_at__isnull=True).first()
        )
        if known is not None:
            known.started_at = min(known.started_at, start)
            known.last_out_at = max(known.last_out_at, last_out)
            known.ended_at = back_at if known.last_out_at == last_out else known.ended_at
            known.save(update_fields=["started_at", "last_out_at", "ended_at"])
            continue
        excursion = Excursion.objects.create(
            truck=truck,
            started_at=start,
            ended_at=back_at,
            last_out_at=last_out,
            low_celsius=low,
            high_celsius=high,
            worst_celsius=worst,
        )
        excursion_detected.send(sender=Excursion, excursion=excursion)
        new.append(excursion)
    return new


CHART_WIDTH = 600
CHART_HEIGHT = 220
CHART_LEFT = 44  # room for the °C labels
CHART_BOTTOM = 30  # room for the hour labels
CHART_TOP = 12  # room for the top label
CHART_POINTS = 288  # one point per 5 minutes of a day: enough for a phone
GAP = timedelta(minutes=10)  # readings further apart than this are a break in the line


def _bucket(at, since, seconds) -> int:
    return int((at - since).total_seconds() // seconds)


def _extreme(values, middle):
    return max(values, key=lambda value: abs(value - middle))


def chart(truck: Truck, *, hours: int = 24, now: datetime | None = None) -> dict:
    """What the truck page draws: the last `hours` of readings as an inline
    SVG (computed here, no JavaScript), the range, the excursions, and an
    hourly table and text summary for screen readers. Reads one index range
    of (truck, at)."""
    now = now or timezone.now()
    since = now - timedelta(hours=hours)
    rows = list(truck.temperatures.filter(at__gte=since, at__lte=now).order_by("at").values_list("at", "celsius"))
    low, high = cold_range(truck)
    excursions = list(
        Excursion.objects.filter(truck=truck, started_at__lte=now)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=since))
        .order_by("started_at")
    )
    data = {"hours": hours, "low": low, "high": high, "count": len(rows), "excursions": excursions}
    if not rows:
        return data
    values = [celsius for _at, celsius in rows]
    bottom = min(min(values), low) - 1
    top = max(max(values), high) + 1
    plot_width = CHART_WIDTH - CHART_LEFT
    plot_height = CHART_HEIGHT - CHART_BOTTOM
    span = (now - since).total_seconds()

    def x(at):
        return round(CHART_LEFT + (at - since).total_seconds() / span * plot_width, 1)

    def y(celsius):
        return round(plot_height - (celsius - bottom) / (top - bottom) * (plot_height - CHART_TOP), 1)

    # Each bucket keeps its reading furthest from the middle of the range,
    # so a short spike survives the thinning.
    bucket = span / CHART_POINTS
    middle = (low + high) / 2
    lines, line, previous, group = [], [], None, []
    for at, celsius in rows:
        if previous is not None and at - previous > GAP:
            if group:
                line.append(group)
            lines.append(line)
            line, group = [], []
        if group and _bucket(at, since, bucket) != _bucket(group[0][0], since, bucket):
            line.append(group)
            group = []
        group.append((at, celsius))
        previous = at
    if group:
        line.append(group)
    lines.append(line)
    polylines = [
        " ".join(f"{x(g[0][0])},{y(_extreme([c for _a, c in g], middle))}" for g in groups)
        for groups in lines
        if groups
    ]
    hourly = {}
    zone = timezone.get_current_timezone()
    for at, celsius in rows:
        hourly.setdefault(at.replace(minute=0, second=0, microsecond=0), []).append(celsius)
    hourly = {hour.astimezone(zone): values for hour, values in hourly.items()}
    latest_at, latest = rows[-1]
    ticks = []
    step = max(hours // 4, 1)
    for index in range(step, hours, step):  # inner ticks only: the edges' labels would be cut
        at = since + timedelta(hours=index)
        ticks.append({"x": x(at), "label": timezone.localtime(at).strftime("%H:%M")})
    levels = {round(low), round(high)}
    levels |= {level for level in (round(bottom), round(top)) if min(abs(level - low), abs(level - high)) >= 2}
    levels = sorted(levels)
    data.update(
        {
            "width": CHART_WIDTH,
            "height": CHART_HEIGHT,
            "plot_left": CHART_LEFT,
            "plot_height": plot_height,
            "polylines": polylines,
            "band": {"y": y(high), "height": round(y(low) - y(high), 1), "width": plot_width},
            "shades": [
                {
                    "x": x(max(e.started_at, since)),
                    "width": max(round(x(min(e.ended_at or now, now)) - x(max(e.started_at, since)), 1), 2),
                }
                for e in excursions
            ],
            "gridlines": [{"y": y(level), "label": level} for level in levels],
            "ticks": ticks,
            "minimum": min(values),
            "maximum": max(values),
            "latest": latest,
            "latest_at": latest_at,
            "minutes_out": sum(e.minutes for e in excursions),
            "hourly": [
                {"hour": hour, "low": min(vs), "high": max(vs), "mean": round(sum(vs) / len(vs), 1), "count": len(vs)}
                for hour, vs in sorted(hourly.items())
            ],
        }
    )
    return data
