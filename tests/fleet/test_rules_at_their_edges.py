"""Issue 23 cases 13-15 and issue 14 item 3 (third bullet): no truck for an
expired licence, an inactive driver or a retired truck keeps no assignment on
every path, and one import_fleet at a time."""

import datetime
import threading

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.urls import reverse

from fleet.management.commands.import_fleet import IMPORT_LOCK
from fleet.models import Assignment, Driver, Truck, TruckStatus
from fleet.services import FleetError, assign
from tests.api.conftest import bearer
from tests.fleet.factories import AssignmentFactory, DriverFactory, TruckFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def expired():
    """A driver whose licence expired 30 days ago."""
    return DriverFactory(licence_expiry=TODAY - datetime.timedelta(days=30))


# 23.13 ------------------------------------------------------------------------


def test_23_13_the_service_refuses_a_truck_for_an_expired_licence(expired):
    with pytest.raises(FleetError) as refused:
        assign(driver=expired, truck=TruckFactory())

    assert refused.value.code == "licence_expired"
    assert not Assignment.objects.exists()


def test_23_13_a_licence_that_expires_today_is_still_valid_today():
    driver = DriverFactory(licence_expiry=TODAY)
    assert assign(driver=driver, truck=TruckFactory()).driver == driver


def test_23_13_the_driver_page_refuses_it_in_its_own_words(client, fleet_manager, expired):
    truck = TruckFactory()
    client.force_login(fleet_manager)

    response = client.post(reverse("fleet:driver-assign", args=[expired.pk]), {"truck": truck.pk}, follow=True)

    assert "licence expired on" in response.content.decode()
    assert not Assignment.objects.exists()


def test_23_13_the_driver_page_offers_no_assign_form_for_an_expired_licence(client, fleet_manager, expired):
    client.force_login(fleet_manager)

    response = client.get(reverse("fleet:driver-detail", args=[expired.pk]))

    assert response.context["assign_form"] is None
    assert "licence has expired cannot be given a truck" in response.content.decode()


def test_23_13_the_api_refuses_it_with_its_code(fleet_manager, expired):
    response = bearer(fleet_manager).post(
        "/api/v1/assignments/", {"driver": expired.pk, "truck": TruckFactory().pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "licence_expired"
    assert "licence expired on" in response.json()["error"]["message"]
    assert not Assignment.objects.exists()


def test_23_13_the_admin_refuses_it_in_the_same_words(admin_client, expired):
    url = reverse("admin:fleet_assignment_add")

    response = admin_client.post(url, {"driver": expired.pk, "truck": TruckFactory().pk})

    assert response.status_code == 200
    assert "licence expired on" in response.content.decode()
    assert not Assignment.objects.exists()


def test_an_assignment_added_in_the_admin_goes_through_the_service(admin_client, superuser):
    driver, truck = DriverFactory(), TruckFactory()

    response = admin_client.post(reverse("admin:fleet_assignment_add"), {"driver": driver.pk, "truck": truck.pk})

    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert (assignment.driver, assignment.truck, assignment.until) == (driver, truck, None)
    assert assignment.assigned_by is not None


# 23.14 / 14.3: an inactive driver or a retired truck keeps no assignment -------


@pytest.fixture
def current():
    return AssignmentFactory(since=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC))


def assert_released(assignment):
    assignment.refresh_from_db()
    assert assignment.until is not None
    assert not Assignment.objects.filter(until__isnull=True).exists()


def admin_form_data(admin_client, url, **changes):
    """What the admin's change page would post back unchanged, with `changes`."""
    page = admin_client.get(url)
    forms = [page.context["adminform"].form]
    data = {}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        forms.extend(formset.forms)
        forms.append(formset.management_form)
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is True:
                data[bound.html_name] = "on"
            elif value is not None and value is not False:
                data[bound.html_name] = value.isoformat() if hasattr(value, "isoformat") else value
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def test_14_3_deactivating_a_driver_in_the_admin_releases_their_truck(admin_client, current):
    url = reverse("admin:fleet_driver_change", args=[current.driver.pk])

    response = admin_client.post(url, admin_form_data(admin_client, url, is_active=False))

    assert response.status_code == 302
    assert not Driver.objects.get(pk=current.driver.pk).is_active
    assert_released(current)


def test_14_3_retiring_a_truck_in_the_admin_releases_it(admin_client, current):
    url = reverse("admin:fleet_truck_change", args=[current.truck.pk])

    response = admin_client.post(url, admin_form_data(admin_client, url, status=TruckStatus.RETIRED))

    assert response.status_code == 302
    assert_released(current)


def test_14_3_a_truck_in_maintenance_keeps_its_driver_in_the_admin(admin_client, current):
    url = reverse("admin:fleet_truck_change", args=[current.truck.pk])

    admin_client.post(url, admin_form_data(admin_client, url, status=TruckStatus.MAINTENANCE))

    current.refresh_from_db()
    assert current.until is None


def test_14_3_deactivating_a_driver_on_the_page_releases_their_truck(client, fleet_manager, current):
    client.force_login(fleet_manager)
    url = reverse("fleet:driver-edit", args=[current.driver.pk])
    data = {**client.get(url).context["form"].initial, "client": "", "is_active": ""}
    data = {key: ("" if value is None else value) for key, value in data.items()}

    client.post(url, data)

    assert_released(current)


def test_14_3_retiring_a_truck_on_the_page_releases_it(client, fleet_manager, current):
    client.force_login(fleet_manager)
    url = reverse("fleet:truck-edit", args=[current.truck.pk])
    data = {**client.get(url).context["form"].initial, "status": TruckStatus.RETIRED}

    client.post(url, data)

    assert_released(current)


def test_14_3_deactivating_a_driver_through_the_api_releases_their_truck(fleet_manager, current):
    response = bearer(fleet_manager).patch(f"/api/v1/drivers/{current.driver.pk}/", {"is_active": False}, format="json")

    assert response.status_code == 200
    assert_released(current)


def test_14_3_retiring_a_truck_through_the_api_releases_it(fleet_manager, current):
    response = bearer(fleet_manager).patch(f"/api/v1/trucks/{current.truck.pk}/", {"status": "retired"}, format="json")

    assert response.status_code == 200
    assert_released(current)


@pytest.fixture
def write(tmp_path):
    def write_file(name, text):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write_file


def test_14_3_an_import_that_deactivates_a_driver_releases_their_truck(write, current):
    driver = current.driver
    csv = (
        "licence_number,first_name,last_name,licence_expiry,active\n"
        f"{driver.licence_number},{driver.first_name},{driver.last_name},2030-01-01,no\n"
    )

    call_command("import_fleet", write("drivers.csv", csv))

    assert_released(current)


def test_14_3_an_import_that_retires_a_truck_releases_it(write, current):
    truck = current.truck
    csv = f"code,plate,make,model,year,status\n{truck.code},{truck.plate},{truck.make},{truck.model},2022,retired\n"

    call_command("import_fleet", write("trucks.csv", csv))

    assert Truck.objects.get(pk=truck.pk).status == TruckStatus.RETIRED
    assert_released(current)


# 23.15 ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: the advisory lock is PostgreSQL's; SQLite lets one writer in at a time",
)
def test_23_15_an_import_while_another_runs_says_so_and_imports_nothing(write):
    csv = write("trucks.csv", "code,plate,make,model,year\nTRK-0100,0100 AAA,Iveco,Daily,2021\n")
    holding, done = threading.Event(), threading.Event()

    def another_import():
        # A real second connection holds the import's lock, as a running import does.
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [IMPORT_LOCK])
                holding.set()
                done.wait(timeout=30)
                cursor.execute("SELECT pg_advisory_unlock(%s)", [IMPORT_LOCK])
        finally:
            holding.set()
            connections.close_all()

    other = threading.Thread(target=another_import)
    other.start()
    holding.wait(timeout=30)
    try:
        with pytest.raises(CommandError, match="Another import is running; nothing was imported"):
            call_command("import_fleet", csv)
    finally:
        done.set()
        other.join()

    assert not Truck.objects.exists()
    call_command("import_fleet", csv)  # once it has finished, the next one runs
    assert Truck.objects.count() == 1
