from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from vaccination.models import Appointment, Site, Slot, Vaccine


@pytest.fixture
def vaccine(db):
    return Vaccine.objects.create(name="Comirnaty", doses_required=2, min_days_between_doses=21)


@pytest.fixture
def site(db):
    return Site.objects.create(name="Central Clinic", address="1 Main Street\nMadrid", time_zone="Europe/Madrid")


@pytest.fixture
def make_slot(site, vaccine):
    """make_slot(start=..., capacity=...) -> a Slot; starts tomorrow 09:00 clinic time by default."""

    def make(start=None, *, minutes=15, capacity=3, slot_site=None, slot_vaccine=None):
        slot_site = slot_site or site
        if start is None:
            tomorrow = timezone.localtime(timezone=slot_site.tzinfo).date() + timedelta(days=1)
            start = datetime.combine(tomorrow, datetime.min.time().replace(hour=9), tzinfo=slot_site.tzinfo)
        return Slot.objects.create(
            site=slot_site,
            vaccine=slot_vaccine or vaccine,
            start=start,
            end=start + timedelta(minutes=minutes),
            capacity=capacity,
        )

    return make


@pytest.fixture
def slot(make_slot):
    return make_slot()


@pytest.fixture
def make_appointment():
    def make(person, slot, **fields):
        """An appointment written directly (as the desk or history would), keeping booked_count true."""
        appointment = Appointment.objects.create(person=person, slot=slot, **fields)
        if appointment.status != Appointment.Status.CANCELLED:
            Slot.objects.filter(pk=slot.pk).update(booked_count=slot.booked_count + 1)
            slot.refresh_from_db()
        return appointment

    return make
