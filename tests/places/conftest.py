import pytest

from places.models import Place

# (postcode, name, region, latitude, longitude): made-up towns.
TOWNS = [
    ("28901", "Riverside", "Valle Centro", 40.4168, -3.7038),
    ("28902", "Riverside", "Valle Centro", 40.4102, -3.6975),
    ("28930", "Hillcrest", "Valle Norte", 40.5210, -3.6480),
    ("28960", "Villanueva", "Valle Norte", 40.5010, -3.6650),
    ("28970", "Villanueva", "Valle Sur", 40.3310, -3.7980),
    ("28980", "Alcalá del Río", "Valle Centro", 40.4410, -3.6590),
]


@pytest.fixture
def towns(db):
    return [
        Place.objects.create(country="ES", postcode=code, name=name, region=region, latitude=lat, longitude=lon)
        for code, name, region, lat, lon in TOWNS
    ]
