"""Each role lands on its work: a driver's home is their truck and next trip,
clinic staff land on the desk after signing in, a client user sees licence
expiry dates and exports their own company's drivers as CSV."""

import csv
import datetime
import io
import zoneinfo
from datetime import date, time
from datetime import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.factories import UserFactory
from tests.fleet.factories import AssignmentFactory, ClientFactory, ClientMembershipFactory, DriverFactory, TruckFactory
from vaccination.models import Site, Slot, Vaccine

pytestmark = pytest.mark.django_db

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
NOW = dt(2026, 11, 25, 8, 0, tzinfo=MADRID)  # a Wednesday morning
ME = reverse("fleet:me")
EXPORT = reverse("fleet:client-export")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def driving(driver):
    """The driver account's record, driving a truck that brings a mobile clinic
    today and on Friday, with a nurse to call."""
    truck = TruckFactory(code="TRK-0042")
    AssignmentFactory(driver=DriverFactory(user=driver), truck=truck)
    site = Site.objects.create(
        name="Mobile Clinic Lakeside",
        address="Lakeside car park",
        is_mobile=True,
        truck=truck,
        time_zone="Europe/Madrid",
    )
    site.staff.add(UserFactory(first_name="Nora", last_name="Nurse", phone="+34600111222"))
    site.staff.add(UserFactory(first_name="Sin", last_name="Telefono", phone=""))
    vaccine = Vaccine.objects.create(name="Influenza")
    for day in (date(2026, 11, 25), date(2026, 11, 27)):
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


def test_a_drivers_home_is_their_truck_page(client, driver):
    client.force_login(driver)

    response = client.get("/")

    assert response.status_code == 302
    assert response.url == ME


@pytest.mark.parametrize(
    ("role", "lands_on"),
    [
        ("driver", ME),
        ("clinic_staff", reverse("clinic:checkin")),
        ("person", reverse("home")),
        ("fleet_manager", reverse("home")),
        ("client_user", reverse("home")),
        ("superuser", reverse("home")),
    ],
)
def test_signing_in_lands_each_role_on_its_work(client, request, role, lands_on):
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse("landing"))

    assert response.status_code == 302
    assert response.url == lands_on


def test_clinic_staff_keep_the_home_page(client, clinic_staff):
    client.force_login(clinic_staff)

    assert client.get("/").status_code == 200


def test_the_driver_sees_todays_trip_where_when_to_report_and_whom_to_call(client, driver, driving):
    client.force_login(driver)

    html = client.get(ME).content.decode()

    assert "Today's trip" in html
    assert "Be there by <strong>08:30</strong>" in html
    assert "The clinic opens at 09:00 and closes at 13:00." in html
    assert "Mobile Clinic Lakeside" in html
    assert 'href="tel:+34600111222"' in html
    assert "Telefono" not in html  # nobody to call without a phone
    assert 'aria-current="date"' in html  # today among the clinic days


def test_after_todays_clinic_the_next_trip_is_named_by_its_day(client, driver, driving, frozen):
    frozen.move_to(dt(2026, 11, 25, 14, 0, tzinfo=MADRID))
    client.force_login(driver)

    html = client.get(ME).content.decode()

    assert "Your next trip" in html
    assert "<strong>Friday 27 November</strong>" in html
    assert "Today's trip" not in html


def test_a_driver_without_a_truck_sees_no_trip(client, driver):
    DriverFactory(user=driver)
    client.force_login(driver)

    html = client.get(ME).content.decode()

    assert "next trip" not in html
    assert "You have no truck assigned at the moment." in html


def test_the_truck_page_takes_a_bounded_number_of_queries_with_its_trip(
    client, driver, driving, django_assert_max_num_queries
):
    client.force_login(driver)
    # session, user, driver, history, clinics, days, contacts, readiness sections
    with django_assert_max_num_queries(14):
        client.get(ME)


# The client user's expiry dates and CSV


@pytest.fixture
def company(client_user):
    acme = ClientFactory(name="Acme")
    ClientMembershipFactory(client=acme, user=client_user)
    return acme


def _rows(response):
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_client_portal_shows_licence_expiry_dates_with_their_flags(client, client_user, company):
    DriverFactory(client=company, licence_expiry=datetime.date(2026, 11, 1))
    client.force_login(client_user)

    html = client.get(reverse("fleet:client")).content.decode()

    assert "1 Nov 2026" in html
    assert "Expired" in html
    assert EXPORT in html


def test_a_client_user_exports_only_their_companys_active_drivers_with_the_portals_fields(client, client_user, company):
    AssignmentFactory(driver__client=company, driver__last_name="Nuestro", truck__code="TRK-0007")
    DriverFactory(client=company, last_name="Inactivo", is_active=False)
    DriverFactory(client=ClientFactory(name="Other"), last_name="Ajeno")
    client.force_login(client_user)

    response = client.get(EXPORT)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    [row] = _rows(response)
    assert row["last_name"] == "Nuestro"
    assert row["current_truck"] == "TRK-0007"
    assert set(row) == {"first_name", "last_name", "phone", "licence_expiry", "licence_status", "current_truck"}


def test_a_client_user_without_a_company_exports_nothing(client, client_user):
    DriverFactory(client=ClientFactory())
    client.force_login(client_user)

    assert _rows(client.get(EXPORT)) == []


def test_the_client_export_refuses_anonymous_other_roles_and_post(client, client_user, company, request):
    assert "/accounts/login/" in client.get(EXPORT).url
    for role in ("person", "driver", "clinic_staff", "fleet_manager"):
        client.force_login(request.getfixturevalue(role))
        assert client.get(EXPORT).status_code == 403
    client.force_login(client_user)
    assert client.post(EXPORT).status_code == 405


@pytest.mark.parametrize("drivers", [1, 30])
def test_the_client_export_takes_the_same_number_of_queries_whatever_its_size(
    client, client_user, company, drivers, django_assert_max_num_queries
):
    for driver in DriverFactory.create_batch(drivers, client=company):
        AssignmentFactory(driver=driver)
    client.force_login(client_user)

    with django_assert_max_num_queries(4):
        assert len(_rows(client.get(EXPORT))) == drivers
