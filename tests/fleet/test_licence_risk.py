"""Risk first on the fleet pages: the licence summary above the driver list,
a driver on an expired licence who still holds a truck flagged in words and
colour on the list, the truck and the driver pages; one way to say "not
recorded"; no developer text."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from tests.fleet.factories import AssignmentFactory, DriverFactory, TruckFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)
EXPIRED = datetime.date(2026, 5, 1)
SOON = datetime.date(2026, 6, 20)
RISK = "Drives on an expired licence"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def staff_client(client, clinic_staff):
    client.force_login(clinic_staff)
    return client


@pytest.fixture
def driving_expired():
    return AssignmentFactory(driver__last_name="Caducado", driver__licence_expiry=EXPIRED)


def test_the_driver_list_starts_with_the_licences_to_act_on_each_linking_to_its_filter(staff_client, driving_expired):
    DriverFactory(licence_expiry=EXPIRED)
    DriverFactory.create_batch(2, licence_expiry=SOON)
    DriverFactory(licence_expiry=EXPIRED, is_active=False)  # not driving for us: not counted
    DriverFactory()

    html = staff_client.get(reverse("fleet:driver-list")).content.decode()

    assert '<a href="?licence=expired&amp;active=yes">2 licences expired</a>' in html
    assert '<a href="?licence=expiring&amp;active=yes&amp;sort=expiry">2 due within 30 days</a>' in html
    assert "1 driver with an expired licence still holds a truck" in html
    assert html.index("Licences to act on") < html.index("<table")


def test_the_summary_links_lead_to_the_drivers_it_counts(staff_client, driving_expired):
    DriverFactory(last_name="Parado", licence_expiry=EXPIRED)

    response = staff_client.get(reverse("fleet:driver-list"), {"licence": "expired_driving", "active": "yes"})

    assert [driver.last_name for driver in response.context["page_obj"]] == ["Caducado"]


def test_the_driver_list_sorts_by_licence_expiry(staff_client):
    for year in (2029, 2027, 2028):
        DriverFactory(last_name=f"Y{year}", licence_expiry=datetime.date(year, 1, 1))

    response = staff_client.get(reverse("fleet:driver-list"), {"sort": "expiry"})

    assert [driver.last_name for driver in response.context["page_obj"]] == ["Y2027", "Y2028", "Y2029"]


def test_a_driver_on_an_expired_licence_with_a_truck_is_flagged_on_the_list(staff_client, driving_expired):
    DriverFactory(last_name="Sincamion", licence_expiry=EXPIRED)  # expired, no truck: no flag

    html = staff_client.get(reverse("fleet:driver-list")).content.decode()

    assert html.count(RISK) == 1


def test_the_truck_page_flags_its_drivers_expired_licence(staff_client, driving_expired):
    html = staff_client.get(reverse("fleet:truck-detail", args=[driving_expired.truck_id])).content.decode()

    assert "The driver of this truck has an expired licence." in html
    assert RISK in html


def test_the_driver_page_flags_the_expired_licence_and_the_truck_still_held(staff_client, driving_expired):
    html = staff_client.get(reverse("fleet:driver-detail", args=[driving_expired.driver_id])).content.decode()

    assert f"They still hold truck {driving_expired.truck.code}" in html
    assert RISK in html


def test_a_valid_licence_is_not_flagged_anywhere(staff_client):
    assignment = AssignmentFactory()

    for url in (
        reverse("fleet:driver-list"),
        reverse("fleet:truck-detail", args=[assignment.truck_id]),
        reverse("fleet:driver-detail", args=[assignment.driver_id]),
    ):
        assert RISK not in staff_client.get(url).content.decode()


def test_the_truck_page_shows_no_api_path(staff_client):
    html = staff_client.get(reverse("fleet:truck-detail", args=[TruckFactory().pk])).content.decode()

    assert "/api/" not in html
    assert "No condition reported yet." in html


def test_empty_fields_say_not_recorded_the_same_way_on_list_and_detail(staff_client):
    driver = DriverFactory(phone="", email="", address="", client=None)
    mark = '<span class="not-recorded" aria-hidden="true">—</span><span class="visually-hidden">not recorded</span>'

    listed = staff_client.get(reverse("fleet:driver-list")).content.decode()
    detail = staff_client.get(reverse("fleet:driver-detail", args=[driver.pk])).content.decode()

    assert listed.count(mark) == 2  # phone, client company
    assert detail.count(mark) == 5  # phone, email, date of birth, address, client company
