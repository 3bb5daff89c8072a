"""The booking page's first steps: which vaccine, then which clinic, nearest
first (vaccination.views._picker renders them with the days and times).

Everything here is shared by everyone who asks the same question (the page
is cached), so nothing here reads who is asking. The number of queries is
the same for one clinic or many: the clinics, their free seats and next
free time, and their opening days come in one query each."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, F, Max, Min, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from places.search import Origin, Search, distance_km, find_place, rounded
from vaccination.models import BOOKING_DAYS_AHEAD, Site, Slot, Vaccine

# Opening days are read from the slots of this many coming days: a week,
# so each weekday appears once ("Mon, Wed, Fri · 09:00-17:00").
WEEK = 7
# The GET parameters of the booking page, in the order links carry them.
PARAMS = ("vaccine", "q", "lat", "lon", "site", "day")


# Three or more days in a row are shown as a span ("Mon-Fri").
SPAN = 3


@dataclass
class Opening:
    """Days with the same hours: "Mon, Wed, Fri · 09:00-17:00", "Mon-Fri ·
    09:00-17:00", or, for a mobile clinic, "Tue 1 Dec-Fri 4 Dec · 09:00-13:00"."""

    days: list  # dates, in order
    opens: object  # local times
    closes: object
    every_day: bool = False

    @property
    def spans(self) -> list[tuple]:
        """(first day, last day or None): runs of SPAN days or more in a row as one span."""
        runs, run = [], []
        for day in self.days:
            if run and _day_after(run[-1], day):
                run.append(day)
                continue
            if run:
                runs.append(run)
            run = [day]
        if run:
            runs.append(run)
        spans = []
        for run in runs:
            spans.extend([(run[0], run[-1])] if len(run) >= SPAN else [(day, None) for day in run])
        return spans


def _day_after(before, day) -> bool:
    """The next date (a mobile clinic's days), or the next weekday of the week Monday to Sunday (opening days)."""
    return (day - before).days == 1 or before.weekday() + 1 == day.weekday()


class Links:
    """Query strings for the page's links, each keeping what the person has
    chosen so far and changing one step (choosing another clinic forgets the
    day chosen at the one before)."""

    def __init__(self, params: dict):
        self.params = {key: params[key] for key in PARAMS if params.get(key) not in (None, "")}

    def to(self, **changes) -> str:
        params = {**self.params, **changes}
        if "site" in changes or "vaccine" in changes:
            params.pop("day", None)
        if "q" in changes:
            params.pop("lat", None)
            params.pop("lon", None)
            params.pop("site", None)
            params.pop("day", None)
        shown = {key: _as_param(params[key]) for key in PARAMS if params.get(key) not in (None, "")}
        return "?" + urlencode(shown) if shown else "?"


def _as_param(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def vaccines_offered():
    """Every vaccine, each with `offered`: whether a free time is bookable in the coming days."""
    offered = Slot.objects.offered().filter(vaccine=OuterRef("pk"))
    return list(Vaccine.objects.annotate(offered=Exists(offered)).order_by("name"))


def where_from(params: dict) -> Search:
    """Where distances are measured from: the browser's location (lat/lon,
    rounded) or the town or postcode typed (q). A typed search wins, so a
    person who used their location and then types a town gets the town."""
    query = params.get("q") or ""
    if query.strip():
        return find_place(query)
    latitude, longitude = params.get("lat"), params.get("lon")
    search = Search(query="")
    if latitude is not None and longitude is not None:
        search.origin = Origin(label=_("your location"), latitude=rounded(latitude), longitude=rounded(longitude))
    return search


def clinics(*, free, vaccine, origin, links):
    """The active clinics, nearest to `origin` first (those without
    coordinates after them, by name; by name without an origin). Each with:
    distance_km (or None), free_seats and next_free (from `free`, the slots
    offered), openings (the week's days and hours), stop_days (a mobile
    clinic: the days its van is there), link. With a vaccine, only the
    clinics that hold its slots in the coming days."""
    now = timezone.now()
    days_by_site, free_by_site = _days_by_site(
        free=free, vaccine=vaccine, since=now - timedelta(days=1), until=now + timedelta(days=BOOKING_DAYS_AHEAD + 1)
    )
    sites = []
    for site in Site.objects.filter(is_active=True).order_by("name"):
        days = days_by_site.get(site.pk, {})
        if vaccine is not None and not days:
            continue
        site.free_seats, site.next_free = free_by_site.get(site.pk, (0, None))
        today = site.today()
        coming = {day: hours for day, hours in days.items() if day >= today}
        site.openings = _openings({day: hours for day, hours in coming.items() if day < today + timedelta(days=WEEK)})
        site.stop_days = _stops(coming) if site.is_mobile else []
        site.distance_km = None
        if origin is not None and site.latitude is not None and site.longitude is not None:
            site.distance_km = distance_km(origin.latitude, origin.longitude, site.latitude, site.longitude)
        site.link = links.to(site=site.pk)
        sites.append(site)
    sites.sort(key=lambda s: (s.distance_km is None, s.distance_km or 0))  # stable: by name otherwise
    return sites


def _days_by_site(*, free, vaccine, since, until) -> tuple[dict, dict]:
    """In one query: {site id: {local day: (opens, closes)}} from every slot
    (free or not) of the coming days, and {site id: (free seats, next free
    start)} from those of `free` (the slots offered). Grouped by the
    campaign's day, then read in each clinic's own time zone."""
    slots = Slot.objects.filter(site__is_active=True, start__gte=since, start__lt=until)
    if vaccine is not None:
        slots = slots.filter(vaccine=vaccine)
    offered = Q(pk__in=free.filter(start__lt=until).values("pk"))
    rows = (
        slots.order_by()
        .values("site", "site__time_zone", day=TruncDate("start", tzinfo=timezone.get_default_timezone()))
        .annotate(
            opens=Min("start"),
            closes=Max("end"),
            seats=Sum(F("capacity") - F("booked_count"), filter=offered),
            first=Min("start", filter=offered),
        )
    )
    found, free_by_site = {}, {}
    for row in rows:
        if row["first"] is not None:
            seats, first = free_by_site.get(row["site"], (0, row["first"]))
            free_by_site[row["site"]] = (seats + row["seats"], min(first, row["first"]))
        zone = Site(time_zone=row["site__time_zone"]).tzinfo
        opens, closes = timezone.localtime(row["opens"], zone), timezone.localtime(row["closes"], zone)
        days = found.setdefault(row["site"], {})
        day = opens.date()
        before = days.get(day)
        if before:
            opens, closes = min(before[0], opens), max(before[1], closes)
        days[day] = (opens, closes)
    days_by_site = {site: {day: (o.time(), c.time()) for day, (o, c) in days.items()} for site, days in found.items()}
    return days_by_site, free_by_site


def _openings(days: dict) -> list[Opening]:
    """The week's open days grouped by their hours, Monday first."""
    groups = {}
    for day in sorted(days, key=lambda d: d.weekday()):
        groups.setdefault(days[day], []).append(day)
    openings = [
        Opening(days=group, opens=hours[0], closes=hours[1], every_day=len(group) == WEEK)
        for hours, group in groups.items()
    ]
    return sorted(openings, key=lambda o: o.days[0].weekday())


def _stops(days: dict) -> list[Opening]:
    """A mobile clinic's coming days in date order, days in a row with the same hours together."""
    stops = []
    for day in sorted(days):
        last = stops[-1] if stops else None
        if last and (last.opens, last.closes) == days[day] and (day - last.days[-1]).days == 1:
            last.days.append(day)
        else:
            stops.append(Opening(days=[day], opens=days[day][0], closes=days[day][1]))
    return stops
