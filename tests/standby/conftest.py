from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from vaccination.models import Site, Slot, Vaccine


@pytest.fixture
def vaccine(db):
    return Vaccine.objects.create(name="Influenza", doses_required=1)


@pytest.fixture
def site(db, clinic_staff):
    site = Site.objects.create(name="Central Clinic", address="1 Main Street", time_zone="Europe/Madrid")
    site.staff.add(clinic_staff)
    return site


@pytest.fixture
def at_clinic(site):
    """at_clinic(hour, minute) -> an aware datetime today at the clinic."""

    def make(hour, minute=0, days=0):
        return datetime.combine(site.today() + timedelta(days=days), time(hour, minute), tzinfo=site.tzinfo)

    return make


@pytest.fixture
def frozen(time_machine, at_clinic):
    """Time stands at 12:00 today at the clinic (a weekday or not, it does not matter)."""
    time_machine.move_to(at_clinic(12), tick=False)
    return timezone.now()


@pytest.fixture
def make_slot(site, vaccine):
    def make(start, *, capacity=2, minutes=15):
        return Slot.objects.create(
            site=site, vaccine=vaccine, start=start, end=start + timedelta(minutes=minutes), capacity=capacity
        )

    return make
