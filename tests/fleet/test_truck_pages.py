import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from fleet.models import Truck, TruckCondition, TruckStatus
from fleet.views.common import PAGE_SIZE
from tests.fleet.factories import AssignmentFactory, TruckFactory

pytestmark = pytest.mark.django_db
URL = reverse("fleet:truck-list")


def codes(response):
    return [truck.code for truck in response.context["page_obj"]]


@pytest.fixture
def staff_client(client, clinic_staff):
    client.force_login(clinic_staff)
    return client


def test_truck_list_shows_each_truck_and_its_current_driver(staff_client):
    AssignmentFactory(truck__code="TRK-0042", driver__first_name="Dina", driver__last_name="Drive")
    TruckFactory(code="TRK-0043")

    response = staff_client.get(URL)

    html = response.content.decode()
    assert codes(response) == ["TRK-0042", "TRK-0043"]
    assert "Dina Drive" in html
    assert "Free" in html


@pytest.mark.parametrize(
    ("query", "expected"), [("trk-0042", ["TRK-0042"]), ("9999 z", ["TRK-0043"]), ("", ["TRK-0042", "TRK-0043"])]
)
def test_truck_search_matches_code_and_plate(staff_client, query, expected):
    TruckFactory(code="TRK-0042", plate="1234 ABC")
    TruckFactory(code="TRK-0043", plate="9999 ZZZ")

    assert codes(staff_client.get(URL, {"q": query})) == expected


def test_truck_list_filters_by_status(staff_client):
    TruckFactory(code="TRK-0001")
    TruckFactory(code="TRK-0002", status=TruckStatus.MAINTENANCE)
    TruckFactory(code="TRK-0003", status=TruckStatus.RETIRED)

    assert codes(staff_client.get(URL, {"status": "maintenance"})) == ["TRK-0002"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("-code", ["TRK-0003", "TRK-0002", "TRK-0001"]), ("year", ["TRK-0002", "TRK-0003", "TRK-0001"])],
)
def test_truck_list_sorts(staff_client, sort, expected):
    TruckFactory(code="TRK-0001", year=2024)
    TruckFactory(code="TRK-0002", year=2010)
    TruckFactory(code="TRK-0003", year=2015)

    assert codes(staff_client.get(URL, {"sort": sort})) == expected


def test_truck_list_paginates(staff_client):
    TruckFactory.create_batch(PAGE_SIZE + 1)

    assert len(staff_client.get(URL, {"page": 2}).context["page_obj"]) == 1


@pytest.mark.parametrize("count", [1, 40])
def test_truck_list_runs_the_same_number_of_queries_whatever_the_size(
    staff_client, django_assert_max_num_queries, count
):
    for truck in TruckFactory.create_batch(count):
        AssignmentFactory(truck=truck)

    # session, user (roles and permissions with it), count, page
    with django_assert_max_num_queries(4):
        staff_client.get(URL)


def test_truck_page_shows_the_current_driver_and_history(staff_client):
    old = AssignmentFactory(driver__last_name="Earlier")
    old.until = old.since + datetime.timedelta(hours=2)
    old.save()
    AssignmentFactory(truck=old.truck, driver__last_name="Later")

    response = staff_client.get(reverse("fleet:truck-detail", args=[old.truck.pk]))

    assert response.context["current"].driver.last_name == "Later"
    assert [a.driver.last_name for a in response.context["history"]] == ["Later", "Earlier"]
    assert "Edit truck" not in response.content.decode()


@pytest.mark.parametrize("history", [1, 30])
def test_truck_page_runs_the_same_number_of_queries_whatever_the_history(
    client, fleet_manager, django_assert_max_num_queries, history
):
    truck = TruckFactory()
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    for day in range(history):
        AssignmentFactory(
            truck=truck, since=start + datetime.timedelta(days=day), until=start + datetime.timedelta(days=day, hours=1)
        )
        TruckCondition.objects.create(truck=truck, status="ok", recorded_at=start + datetime.timedelta(days=day))
    client.force_login(fleet_manager)
    # Django caches content types per process; warm it, or the count depends on test order.
    ContentType.objects.get_for_model(Truck)

    # session, user (roles and permissions with it), truck, history, content type, changes,
    # and one query for all the condition reports
    with django_assert_max_num_queries(7):
        client.get(reverse("fleet:truck-detail", args=[truck.pk]))


TRUCK_DATA = {
    "code": "trk-0100",
    "plate": "5555 xyz",
    "make": "Iveco",
    "model": "Daily",
    "year": "2022",
    "status": "active",
}


def test_fleet_manager_adds_a_truck_with_the_code_upper_cased(client, fleet_manager):
    client.force_login(fleet_manager)

    response = client.post(reverse("fleet:truck-create"), TRUCK_DATA)

    truck = Truck.objects.get()
    assert response["Location"] == reverse("fleet:truck-detail", args=[truck.pk])
    assert (truck.code, truck.plate) == ("TRK-0100", "5555 XYZ")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "TRK-0001", "already exists"),
        ("code", "trk-0001", "already exists"),
        ("code", "T-1", "three letters, a dash and four digits"),
        ("plate", "1111 aaa", "already exists"),
        ("year", "1900", "greater than or equal to 1980"),
    ],
)
def test_truck_form_explains_what_is_wrong(client, fleet_manager, field, value, message):
    TruckFactory(code="TRK-0001", plate="1111 AAA")
    client.force_login(fleet_manager)

    response = client.post(reverse("fleet:truck-create"), {**TRUCK_DATA, field: value})

    assert response.status_code == 200
    assert message in " ".join(
        response.context["form"].errors.get(field, []) + response.context["form"].non_field_errors()
    )
    assert Truck.objects.count() == 1


def test_fleet_manager_edits_a_truck_and_its_driver_is_found_by_the_new_code(client, fleet_manager):
    assignment = AssignmentFactory(truck__code="TRK-0001")
    client.force_login(fleet_manager)

    client.post(reverse("fleet:truck-edit", args=[assignment.truck.pk]), {**TRUCK_DATA, "code": "TRK-0999"})

    response = client.get(reverse("fleet:driver-list"), {"q": "TRK-0999"})
    assert [driver.pk for driver in response.context["page_obj"]] == [assignment.driver.pk]


@pytest.mark.parametrize(("status", "released"), [("retired", True), ("maintenance", False)])
def test_retiring_a_truck_releases_it_but_maintenance_keeps_its_driver(client, fleet_manager, status, released):
    current = AssignmentFactory(truck__code="TRK-0100", truck__plate="5555 XYZ")
    client.force_login(fleet_manager)

    client.post(reverse("fleet:truck-edit", args=[current.truck.pk]), {**TRUCK_DATA, "status": status})

    current.refresh_from_db()
    assert (current.until is not None) == released
