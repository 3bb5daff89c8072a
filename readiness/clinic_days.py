"""Mobile clinic days at risk: days with bookable slots at a mobile clinic
whose truck, or the truck's driver, is not ready that day.

`at_risk_days(start, end)` costs a fixed number of queries (one for the
days, one for their clinics, six for the trucks' readiness) whatever the
number of clinics, trucks and documents: /fleet/readiness/ and the campaign
overview call it, and the daily alert compares it with the day before.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Min, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from fleet.models import Truck
from readiness.status import Problem, Readiness
from vaccination.models import Site, Slot

# /fleet/readiness/ looks this many days ahead, today included.
HORIZON_DAYS = 14


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
    clinics' days from `start` to `end` inclusive. Days are counted in the
    campaign's time zone (settings.TIME_ZONE): one GROUP BY cannot use each
    clinic's own zone, and a campaign's clinics share one."""
    tz = timezone.get_current_timezone()
    first = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    last = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return (
        Slot.objects.filter(site__is_mobile=True, site__is_active=True, start__gte=first, start__lt=last)
        .annotate(day=TruncDate("start", tzinfo=tz))
        .values("site_id", "day")
        .annotate(opens=Min("start"), booked=Sum("booked_count"))
        .order_by("day", "opens", "site_id")
    )


def at_risk_days(start: datetime.date, end: datetime.date) -> list[AtRiskDay]:
    days = list(clinic_days(start, end))
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


def board_problems(site, day) -> list[Problem]:
    """Why the mobile clinic `site` is at risk on `day` (empty: it is not)."""
    if site.truck_id is None:
        return [Problem("no_truck")]
    truck = site.truck
    return Readiness.of_truck(truck).truck_problems(truck.pk, day)
