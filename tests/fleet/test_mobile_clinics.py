"""A mobile clinic rides on a truck: the truck page shows the clinic days it
serves, the driver portal shows the driver where and when they drive."""

import zoneinfo
from datetime import date, datetime, time

import pytest
import time_machine
from django.db import IntegrityError
from django.urls import reverse

from tests.fleet.factories import AssignmentFactory, TruckFactory
from vaccination.models import Site, Slot, Vaccine

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=MADRID)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def truck(db):
    return TruckFactory(code="TRK-0042")


@pytest.fixture
def mobile_site(truck):
    site = Site.objects.create(
        name="Mobile Clinic Lakeside",
        address="Lakeside shopping centre car park",
        is_mobile=True,
        truck=truck,
        time_zone="Europe/Madrid",
    )
    vaccine = Vaccine.objects.create(name="Influenza")
    for day in (date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 27)):
        Slot.objects.generate(
            site=site,
            vaccine=vaccine,
            first_day=day,
            last_day=day,
            opens=time(9),
            closes=time(13),
            minutes=30,
            capacity=2,
        )
    return site


def test_only_a_mobile_site_can_have_a_truck(truck):
    with pytest.raises(IntegrityError):
        Site.objects.create(name="Fixed", address="1 Road", is_mobile=False, truck=truck)


def test_a_deleted_truck_leaves_the_site_without_one(mobile_site, truck):
    truck.assignments.all().delete()
    truck.delete()
    mobile_site.refresh_from_db()
    assert mobile_site.truck is None


def test_the_truck_page_shows_the_coming_clinic_days_it_serves(client, clinic_staff, truck, mobile_site):
    client.force_login(clinic_staff)
    response = client.get(reverse("fleet:truck-detail", args=[truck.pk]))
    html = response.content.decode()
    assert "Mobile Clinic Lakeside" in html
    assert "Wednesday 25 November" in html
    assert "Friday 27 November" in html
    assert "Tuesday 24 November" not in html  # past
    assert "09:00\N{EN DASH}13:00" in html


def test_a_truck_without_a_clinic_says_so(client, clinic_staff, truck):
    client.force_login(clinic_staff)
    html = client.get(reverse("fleet:truck-detail", args=[truck.pk])).content.decode()
    assert "does not bring a mobile clinic" in html


def test_the_driver_portal_shows_where_and_when_the_driver_drives(client, driver, truck, mobile_site):
    AssignmentFactory(driver__user=driver, truck=truck)
    client.force_login(driver)
    html = client.get(reverse("fleet:me")).content.decode()
    assert "Where and when you drive" in html
    assert "Mobile Clinic Lakeside" in html
    assert "Lakeside shopping centre car park" in html
    assert "Friday 27 November" in html


def test_a_driver_whose_truck_brings_no_clinic_sees_no_clinic_days(client, driver, truck):
    AssignmentFactory(driver__user=driver, truck=truck)
    client.force_login(driver)
    assert "Where and when you drive" not in client.get(reverse("fleet:me")).content.decode()


def test_a_driver_sees_no_clinic_of_another_truck(client, driver, mobile_site):
    AssignmentFactory(driver__user=driver, truck=TruckFactory(code="TRK-0099"))
    client.force_login(driver)
    assert "Mobile Clinic Lakeside" not in client.get(reverse("fleet:me")).content.decode()


def test_the_fleet_app_never_imports_the_vaccination_app():
    import pathlib
    import re

    fleet = pathlib.Path(__file__).resolve().parents[2] / "fleet"
    for source in fleet.rglob("*.py"):
        assert not re.search(r"^\s*(from|import)\s+vaccination", source.read_text(), re.MULTILINE), source
