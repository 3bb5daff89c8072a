"""Mobile clinic days at risk: days with bookable slots at a mobile clinic
whose truck, or the truck's driver, is not ready that day.

`at_risk_days(start, end)` costs a fixed number of queries (one for the
days, one for their clinics, one for their trucks, six for the trucks'
readiness) whatever the number of clinics, trucks and documents. The
database keeps only the days of clinics with no truck or with a truck not
ready on the last day (readiness only gets worse with time: a truck ready on
the last day is ready on every day before it), so the reasons are put
together in Python only for the trucks that have some.

/fleet/readiness/ and the campaign overview read the coming fortnight
through `coming_at_risk` (kept in the shared page cache until the data it
depends on changes); the daily alert compares a fresh `coming_at_risk_days`
with what it alerted before.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Min, Q, Sum
from django.utils import timezone

from fleet.models import FLEET_REGISTER, Truck
from pagecache import fragments
from readiness.status import Problem, Readiness, truck_not_ready_q
from vaccination.local_days import LocalDate, coarse_bounds
from vaccination.models import CATALOGUE, FREE_SEATS, Site, Slot

# /fleet/readiness/ looks this many days ahead, today included.
HORIZON_DAYS = 14
# What the coming days at risk are drawn from, as page-cache generations:
# trucks, drivers, assignments and every readiness record (FLEET_REGISTER,
# bumped by fleet's and readiness's signals), the clinics (CATALOGUE), their
# slots and seats booked (FREE_SEATS); the day is part of every key. Seats
# taken during a burst bump FREE_SEATS only every few seconds, so a copy
# lives at most AT_RISK_SECONDS: that is how old a booked count can be.
AT_RISK_DEPENDS_ON = (FLEET_REGISTER, CATALOGUE, FREE_SEATS)
AT_RISK_SECONDS = 30


@dataclass
class AtRiskDay:
    site: Site
    day: datetime.date
    opens: datetime.datetime
    booked: int
    truck: Truck | None
    driver: object | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Stable identity of this risk, for alerting only on new ones."""
        return f"{self.site.pk}:{self.day.isoformat()}:" + ",".join(sorted(p.code for p in self.problems))

    @property
    def truck_problem(self) -> bool:
        """Is the truck itself at fault (not only its driver)? Then another truck is the fix."""
        return any(not p.code.startswith(("driver_", "licence_")) and p.code != "no_driver" for p in self.problems)


def clinic_days(start: datetime.date, end: datetime.date):
    """(site_id, day, first start, seats booked) of the active mobile
    clinics' days from `start` to `end` inclusive, each clinic's own local
    days (a slot at 00:30 in the clinic's zone is on that day there)."""
    first, last = coarse_bounds(start, end)
    return (
        Slot.objects.filter(site__is_mobile=True, site__is_active=True, start__gte=first, start__lt=last)
        .annotate(day=LocalDate("start", "site__time_zone"))
        .filter(day__gte=start, day__lte=end)
        .values("site_id", "day")
        .annotate(opens=Min("start"), booked=Sum("booked_count"))
        .order_by("day", "opens", "site_id")
    )


def at_risk_days(start: datetime.date, end: datetime.date) -> list[AtRiskDay]:
    # Only the mobile clinics' trucks are weighed: the rule's SQL over a whole
    # fleet of 10,000 trucks takes seconds.
    clinic_trucks = Site.objects.filter(is_mobile=True, is_active=True, truck__isnull=False).values("truck_id")
    not_ready = Truck.objects.filter(pk__in=clinic_trucks).filter(truck_not_ready_q(end)).values("pk")
    days = list(clinic_days(start, end).filter(Q(site__truck__isnull=True) | Q(site__truck__in=not_ready)))
    sites = Site.objects.in_bulk({row["site_id"] for row in days})
    trucks = Truck.objects.in_bulk({site.truck_id for site in sites.values() if site.truck_id})
    readiness = Readiness(trucks=trucks.values())
    risky = []
    for row in days:
        site = sites[row["site_id"]]
        truck = trucks.get(site.truck_id)
        problems = [Problem("no_truck")] if truck is None else readiness.truck_problems(truck.pk, row["day"])
        if problems:
            risky.append(
                AtRiskDay(
                    site=site,
                    day=row["day"],
                    opens=row["opens"],
                    booked=row["booked"] or 0,
                    truck=truck,
                    driver=readiness.driver_of.get(truck.pk) if truck else None,
                    problems=problems,
                )
            )
    return risky


def coming_at_risk_days(today=None) -> list[AtRiskDay]:
    today = today or timezone.localdate()
    return at_risk_days(today, today + datetime.timedelta(days=HORIZON_DAYS - 1))


def coming_at_risk() -> list[AtRiskDay]:
    """Today's `coming_at_risk_days`, from the shared page cache while nothing
    it is drawn from changed (AT_RISK_DEPENDS_ON). The same for every reader
    who may see it; the key holds the language (a truck's status is put in
    words when the list is drawn) and the day."""
    return fragments.cached_value("readiness-at-risk", AT_RISK_DEPENDS_ON, (), coming_at_risk_days, AT_RISK_SECONDS)


def board_problems(site, day) -> list[Problem]:
    """Why the mobile clinic `site` is at risk on `day` (empty: it is not)."""
    if site.truck_id is None:
        return [Problem("no_truck")]
    truck = site.truck
    return Readiness.of_truck(truck).truck_problems(truck.pk, day)
