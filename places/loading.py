"""Loading the place table from an open-data postal-code file (the format
is in docs/places.md): used by `manage.py load_places` and the demo."""

import csv

from django.db import transaction

from pagecache import fragments
from places.models import PLACES, Place

# GeoNames postal-code dump columns (tab-separated, no header):
# country, postcode, place name, admin name1, admin code1, admin name2,
# admin code2, admin name3, admin code3, latitude, longitude, accuracy.
COUNTRY, POSTCODE, NAME, REGION, LATITUDE, LONGITUDE = 0, 1, 2, 3, 9, 10
MIN_COLUMNS = 11
BATCH = 2000


def replace_places(places) -> int:
    """Put `places` in the table instead of every place of their countries,
    in one transaction (a reload never leaves half a country); returns how
    many rows were removed. Marks cached search results stale."""
    countries = sorted({place.country for place in places})
    with transaction.atomic():
        removed, _ = Place.objects.filter(country__in=countries).delete()
        Place.objects.bulk_create(places, batch_size=BATCH)
    fragments.bump(PLACES)  # bulk writes send no signal
    return removed


def read_places(lines):
    """(places, problems): a Place for each good row, unsaved, with its
    search keys; a sentence for each bad row naming its line. A place named
    twice at one postcode is kept once."""
    places, problems, seen = [], [], set()
    for number, row in enumerate(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE), start=1):
        if not row or not "".join(row).strip() or row[0].startswith("#"):
            continue
        place, problem = _place(row)
        if problem:
            problems.append(f"Line {number}: {problem}")
            continue
        key = (place.country, place.postcode, place.name)
        if key in seen:
            continue
        seen.add(key)
        place.fill_keys()
        places.append(place)
    return places, problems


def _place(row):
    if len(row) < MIN_COLUMNS:
        return None, f"{len(row)} columns, expected at least {MIN_COLUMNS} (tab-separated)."
    if any("\x00" in value for value in row):
        return None, "a NUL character (is this a text file?)."
    country, postcode, name, region = (row[i].strip() for i in (COUNTRY, POSTCODE, NAME, REGION))
    if len(country) != 2 or not country.isalpha():
        return None, f"country {country!r} is not a two-letter code."
    if not postcode or len(postcode) > 20:
        return None, "no postcode (or longer than 20 characters)."
    if not name or len(name) > 180:
        return None, "no place name (or longer than 180 characters)."
    try:
        latitude, longitude = float(row[LATITUDE]), float(row[LONGITUDE])
    except ValueError:
        return None, f"latitude {row[LATITUDE]!r} or longitude {row[LONGITUDE]!r} is not a number."
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None, f"coordinates {latitude}, {longitude} are out of range."
    place = Place(
        country=country.upper(),
        postcode=postcode,
        name=name,
        region=region[:100],
        latitude=latitude,
        longitude=longitude,
    )
    return place, None
