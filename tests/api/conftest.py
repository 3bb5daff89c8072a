from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiToken
from tests.test_access_matrix import world  # noqa: F401 -- the pages' matrix fixture, shared
from vaccination.models import Site, Slot, Vaccine


def bearer(user, *, days=30):
    """An APIClient that calls as `user` with a fresh token, as an integration does."""
    _token, secret = ApiToken.issue(user=user, name="test", days=days)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def clinic(db, clinic_staff):
    site = Site.objects.create(name="Central", address="1 Main Street")
    site.staff.add(clinic_staff)
    return site


@pytest.fixture
def vaccine(db):
    return Vaccine.objects.create(name="Flu")


def make_slot(site, vaccine, *, hours=48, capacity=3):
    start = timezone.now() + timedelta(hours=hours)
    return _slot(site, vaccine, start, capacity)


@pytest.fixture
def midday():
    """Noon today, the clock running: a slot an hour ahead is still today at
    the clinic, whenever the suite runs (it failed in the last hour of a day)."""
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    with time_machine.travel(noon, tick=True):
        yield noon


def _slot(site, vaccine, start, capacity):
    return Slot.objects.create(
        site=site, vaccine=vaccine, start=start, end=start + timedelta(minutes=15), capacity=capacity
    )


@pytest.fixture
def slot(clinic, vaccine):
    return make_slot(clinic, vaccine)
