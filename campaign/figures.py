"""The campaign's figures, each one aggregate query in the database.

Days are each clinic's local days: a dose given at 00:30 in Madrid counts on
that Madrid day, whatever the server's zone. Every query groups by
`LocalDate`, the day of an instant in the time zone stored on the clinic row,
so a campaign across zones needs no query per zone and no Python loop over
rows; the number of queries does not grow with the data.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, IntegerField, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from vaccination.local_days import LocalDate, coarse_bounds
from vaccination.models import Appointment, Site, Slot

# Seats-left window and the fill thresholds of the issue.
AHEAD_DAYS = 14
LOW_FILL, HIGH_FILL = 0.50, 0.95


@dataclass(frozen=True)
class Filters:
    first_day: date
    last_day: date
    site: Site | None = None
    vaccine: object | None = None

    @property
    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range((self.last_day - self.first_day).days + 1)]


def slots_in(filters: Filters):
    start, end = coarse_bounds(filters.first_day, filters.last_day)
    slots = Slot.objects.filter(start__gte=start, start__lt=end)
    if filters.site is not None:
        slots = slots.filter(site=filters.site)
    if filters.vaccine is not None:
        slots = slots.filter(vaccine=filters.vaccine)
    return slots.annotate(day=LocalDate("start", "site__time_zone")).filter(
        day__gte=filters.first_day, day__lte=filters.last_day
    )


def doses_in(filters: Filters):
    """Appointments whose dose was given on a local day of the range."""
    start, end = coarse_bounds(filters.first_day, filters.last_day)
    doses = Appointment.objects.filter(dose_given_at__gte=start, dose_given_at__lt=end)
    if filters.site is not None:
        doses = doses.filter(slot__site=filters.site)
    if filters.vaccine is not None:
        doses = doses.filter(slot__vaccine=filters.vaccine)
    return doses.annotate(day=LocalDate("dose_given_at", "slot__site__time_zone")).filter(
        day__gte=filters.first_day, day__lte=filters.last_day
    )


@dataclass
class Day:
    day: date
    capacity: int = 0
    booked: int = 0
    first_doses: int = 0
    later_doses: int = 0

    @property
    def doses(self) -> int:
        return self.first_doses + self.later_doses


def daily(filters: Filters) -> list[Day]:
    """Capacity, seats booked and doses (first, later) per local day: two queries."""
    days = {day: Day(day) for day in filters.days}
    seats = slots_in(filters).values("day").annotate(capacity=Sum("capacity"), booked=Sum("booked_count")).order_by()
    for row in seats:
        days[row["day"]].capacity = row["capacity"] or 0
        days[row["day"]].booked = row["booked"] or 0
    doses = (
        doses_in(filters)
        .values("day")
        .annotate(first=Count("pk", filter=Q(dose_number=1)), later=Count("pk", filter=Q(dose_number__gt=1)))
        .order_by()
    )
    for row in doses:
        days[row["day"]].first_doses = row["first"]
        days[row["day"]].later_doses = row["later"]
    return list(days.values())


@dataclass
class ClinicFigures:
    site: Site
    booked: int = 0
    cancelled: int = 0
    checked_in: int = 0
    no_shows: int = 0
    # The next AHEAD_DAYS days.
    capacity_ahead: int = 0
    booked_ahead: int = 0

    @property
    def no_show_rate(self) -> float | None:
        """No-shows among the appointments whose outcome is known (came or not)."""
        known = self.checked_in + self.no_shows
        return self.no_shows / known if known else None

    @property
    def seats_left(self) -> int:
        return max(self.capacity_ahead - self.booked_ahead, 0)

    @property
    def fill(self) -> float | None:
        return self.booked_ahead / self.capacity_ahead if self.capacity_ahead else None

    @property
    def fill_flag(self) -> str:
        if self.fill is None:
            return ""
        if self.fill < LOW_FILL:
            return "low"
        if self.fill > HIGH_FILL:
            return "high"
        return ""


def per_clinic(filters: Filters, *, now=None) -> list[ClinicFigures]:
    """Outcomes of the range's appointments, and seats of the next
    AHEAD_DAYS days, per clinic: three queries."""
    now = now or timezone.now()
    sites = Site.objects.order_by("name")
    if filters.site is not None:
        sites = sites.filter(pk=filters.site.pk)
    clinics = {site.pk: ClinicFigures(site) for site in sites}
    status = Appointment.Status
    start, end = coarse_bounds(filters.first_day, filters.last_day)
    appointments = Appointment.objects.filter(slot__start__gte=start, slot__start__lt=end)
    if filters.site is not None:
        appointments = appointments.filter(slot__site=filters.site)
    if filters.vaccine is not None:
        appointments = appointments.filter(slot__vaccine=filters.vaccine)
    outcomes = (
        appointments.annotate(day=LocalDate("slot__start", "slot__site__time_zone"))
        .filter(day__gte=filters.first_day, day__lte=filters.last_day)
        .values(site_id=F("slot__site_id"))
        .annotate(
            booked=Count("pk", filter=Q(status=status.BOOKED)),
            cancelled=Count("pk", filter=Q(status=status.CANCELLED)),
            checked_in=Count("pk", filter=Q(status=status.CHECKED_IN)),
            no_shows=Count("pk", filter=Q(status=status.NO_SHOW)),
        )
        .order_by()
    )
    for row in outcomes:
        clinic = clinics.get(row["site_id"])
        if clinic is not None:
            clinic.booked, clinic.cancelled = row["booked"], row["cancelled"]
            clinic.checked_in, clinic.no_shows = row["checked_in"], row["no_shows"]
    ahead = Slot.objects.filter(start__gte=now, start__lt=now + timedelta(days=AHEAD_DAYS))
    if filters.site is not None:
        ahead = ahead.filter(site=filters.site)
    if filters.vaccine is not None:
        ahead = ahead.filter(vaccine=filters.vaccine)
    zero = Coalesce(Sum("capacity"), 0, output_field=IntegerField())
    for row in ahead.values("site_id").annotate(capacity=zero, booked=Sum("booked_count")).order_by():
        clinic = clinics.get(row["site_id"])
        if clinic is not None:
            clinic.capacity_ahead, clinic.booked_ahead = row["capacity"], row["booked"] or 0
    return list(clinics.values())


@dataclass
class Overview:
    filters: Filters
    days: list[Day]
    clinics: list[ClinicFigures]
    totals: dict = field(default_factory=dict)

    @property
    def active_clinics(self) -> list[ClinicFigures]:
        """Clinics with anything to show in the range or ahead."""
        return [
            c
            for c in self.clinics
            if c.booked or c.cancelled or c.checked_in or c.no_shows or c.capacity_ahead or c.site.is_active
        ]

    @property
    def low_fill(self) -> list[ClinicFigures]:
        return [c for c in self.clinics if c.fill_flag == "low"]

    @property
    def high_fill(self) -> list[ClinicFigures]:
        return [c for c in self.clinics if c.fill_flag == "high"]


def overview(filters: Filters, *, now=None) -> Overview:
    days = daily(filters)
    clinics = per_clinic(filters, now=now)
    totals = {
        "doses": sum(d.doses for d in days),
        "first_doses": sum(d.first_doses for d in days),
        "later_doses": sum(d.later_doses for d in days),
        "booked": sum(d.booked for d in days),
        "capacity": sum(d.capacity for d in days),
        "no_shows": sum(c.no_shows for c in clinics),
        "checked_in": sum(c.checked_in for c in clinics),
        "cancelled": sum(c.cancelled for c in clinics),
        "seats_left": sum(c.seats_left for c in clinics),
    }
    known = totals["no_shows"] + totals["checked_in"]
    totals["no_show_rate"] = totals["no_shows"] / known if known else None
    return Overview(filters=filters, days=days, clinics=clinics, totals=totals)
