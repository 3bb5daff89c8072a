from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from stock import services
from stock.models import Lot
from tests.factories import UserFactory, recent_start_today
from tests.fleet.factories import TruckFactory
from vaccination.checkin import check_in
from vaccination.models import Appointment, Site, Slot, Vaccine


@pytest.fixture
def vaccine(db):
    return Vaccine.objects.create(name="Comirnaty", doses_required=2, min_days_between_doses=21)


@pytest.fixture
def site(db, clinic_staff):
    site = Site.objects.create(name="Central Clinic", address="1 Main Street", time_zone="Europe/Madrid")
    site.staff.add(clinic_staff)
    return site


@pytest.fixture
def truck(db):
    return TruckFactory(code="TRK-0042")


@pytest.fixture
def mobile_site(db, truck, clinic_staff):
    site = Site.objects.create(
        name="Mobile Clinic", address="Market square", time_zone="Europe/Madrid", is_mobile=True, truck=truck
    )
    site.staff.add(clinic_staff)
    return site


@pytest.fixture
def make_lot(vaccine):
    def make(number="FK1234", *, expires_on=None, **fields):
        expires_on = expires_on or timezone.localdate() + timedelta(days=180)
        return Lot.objects.create(vaccine=vaccine, number=number, expires_on=expires_on, **fields)

    return make


@pytest.fixture
def lot(make_lot):
    return make_lot()


@pytest.fixture
def stocked(lot, site, clinic_staff):
    """`lot` with 10 doses at `site`."""
    services.receive(lot=lot, quantity=10, site=site, by=clinic_staff)
    return lot


@pytest.fixture
def checked_in(vaccine, clinic_staff):
    """checked_in(site) -> an appointment today at `site`, checked in at its desk."""

    def make(site, person=None):
        start = recent_start_today(site)
        slot, _ = Slot.objects.get_or_create(
            site=site, vaccine=vaccine, start=start, defaults={"end": start + timedelta(minutes=15), "capacity": 50}
        )
        appointment = Appointment.objects.create(person=person or UserFactory(), slot=slot)
        Slot.objects.filter(pk=slot.pk).update(booked_count=F("booked_count") + 1)
        assert check_in(code=appointment.code, desk_user=clinic_staff, site=site).ok
        appointment.refresh_from_db()
        return appointment

    return make
