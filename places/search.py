"""Finding a place by name or postcode in the place table, and distances.

A search answers with one origin to measure distances from, or choices when
a name belongs to several places (two towns called Villanueva), or
suggestions when nothing matches. Two queries at most, whatever is typed."""

import difflib
import math
from dataclasses import dataclass, field

from places.models import Place, postcode_key, search_key

# Rows read for one search: a name typed as its first letters matches many.
MAX_ROWS = 300
MAX_CHOICES = 8
MAX_SUGGESTIONS = 5
EARTH_RADIUS_KM = 6371.0
# Coordinates from a browser are rounded to this many decimals (about 1 km)
# before they are used or kept anywhere: precise enough to sort clinics, and
# a handful of values per town lets the page cache serve them.
COORDINATE_DECIMALS = 2


@dataclass(frozen=True)
class Origin:
    """Where distances are measured from, and how the page names it."""

    label: str
    latitude: float
    longitude: float


@dataclass
class Search:
    query: str
    origin: Origin | None = None
    choices: list[str] = field(default_factory=list)  # each a query that finds one place
    suggestions: list[str] = field(default_factory=list)

    @property
    def found_nothing(self) -> bool:
        return bool(self.query) and self.origin is None and not self.choices


def distance_km(latitude1, longitude1, latitude2, longitude2) -> float:
    """Great-circle distance (haversine): straight-line, not by road."""
    phi1, phi2 = math.radians(latitude1), math.radians(latitude2)
    dphi, dlambda = phi2 - phi1, math.radians(longitude2 - longitude1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(a, 1.0)))


def rounded(value: float) -> float:
    return round(value, COORDINATE_DECIMALS)


def find_place(query: str) -> Search:
    """The place `query` names: a postcode, a place name ("Villanueva"), the
    first letters of one, or a name and its region ("Villanueva, Norte")."""
    query = " ".join(query.split())
    name, _comma, region = (search_key(part) for part in query.partition(","))
    code = postcode_key(query)
    search = Search(query=query)
    if not name and not code:
        return search
    rows = _candidates(name=name, code=code)
    by_postcode = [row for row in rows if code and row.postcode_key == code]
    if by_postcode:
        search.origin = _centre(f"{by_postcode[0].postcode} {_common_name(by_postcode)}", by_postcode)
        return search
    named = [row for row in rows if row.name_key == name] or [row for row in rows if row.name_key.startswith(name)]
    if region:
        named = [row for row in named if search_key(row.region).startswith(region) or row.country.casefold() == region]
    groups = {}
    for row in named:
        groups.setdefault((row.name_key, search_key(row.region), row.country), []).append(row)
    if len(groups) == 1:
        (places,) = groups.values()
        search.origin = _centre(places[0].name, places)
    elif groups:
        search.choices = sorted(_choice(places) for places in groups.values())[:MAX_CHOICES]
    else:
        search.suggestions = _suggestions(name)
    return search


def _candidates(*, name, code):
    from django.db.models import Q

    where = Q(name_key__startswith=name) if name else Q(pk__in=[])
    if code:
        where |= Q(postcode_key=code)
    return list(Place.objects.filter(where).order_by("name_key", "region", "postcode")[:MAX_ROWS])


def _centre(label, places) -> Origin:
    """A town with several postcodes is searched from the middle of them."""
    latitude = sum(p.latitude for p in places) / len(places)
    longitude = sum(p.longitude for p in places) / len(places)
    return Origin(label=label, latitude=latitude, longitude=longitude)


def _common_name(places) -> str:
    names = sorted({p.name for p in places})
    return names[0] if len(names) == 1 else ", ".join(names[:3])


def _choice(places) -> str:
    place = places[0]
    return f"{place.name}, {place.region}" if place.region else f"{place.name}, {place.country}"


def _suggestions(name) -> list[str]:
    """Place names close to what was typed (a typo, a missing letter)."""
    if len(name) < 2:
        return []
    rows = Place.objects.filter(name_key__startswith=name[0]).order_by().values_list("name_key", "name")
    names = dict(rows.distinct()[: MAX_ROWS * 10])
    close = difflib.get_close_matches(name, list(names), n=MAX_SUGGESTIONS, cutoff=0.6)
    return [names[key] for key in close]
