"""Fleet through the API: a fleet system lists drivers and posts a truck's
condition; the truck page shows it. Assignments use the pages' service."""

import pytest
from django.utils import timezone

from fleet.models import Assignment, TruckCondition
from tests.api.conftest import bearer
from tests.fleet.factories import DriverFactory, TruckFactory

pytestmark = pytest.mark.django_db


def test_a_fleet_system_lists_drivers_with_search_filter_and_ordering(fleet_manager):
    DriverFactory(first_name="Ana", last_name="Zapata", licence_number="LIC-1")
    DriverFactory(first_name="Bo", last_name="Alvarez", licence_number="LIC-2", is_active=False)
    api = bearer(fleet_manager)

    ordered = api.get("/api/v1/drivers/", {"ordering": "last_name"}).json()
    found = api.get("/api/v1/drivers/", {"search": "zapa"}).json()
    active = api.get("/api/v1/drivers/", {"active": "true"}).json()

    assert [row["last_name"] for row in ordered["results"]] == ["Alvarez", "Zapata"]
    assert [row["last_name"] for row in found["results"]] == ["Zapata"]
    assert [row["last_name"] for row in active["results"]] == ["Zapata"]


def test_a_page_size_above_the_maximum_is_capped(fleet_manager):
    DriverFactory.create_batch(3)

    body = bearer(fleet_manager).get("/api/v1/drivers/", {"page_size": 1000}).json()

    assert body["count"] == 3
    assert len(body["results"]) == 3


def test_a_fleet_manager_creates_a_driver_with_the_pages_rules(fleet_manager):
    api = bearer(fleet_manager)
    data = {"first_name": "Cy", "last_name": "New", "licence_number": " lic-9 ", "licence_expiry": "2030-01-01"}

    created = api.post("/api/v1/drivers/", data, format="json")
    duplicate = api.post("/api/v1/drivers/", data, format="json")

    assert created.status_code == 201
    assert created.json()["licence_number"] == "LIC-9"
    assert duplicate.status_code == 400
    assert "licence_number" in duplicate.json()["error"]["fields"]


def test_clinic_staff_read_but_cannot_write_drivers(clinic_staff):
    api = bearer(clinic_staff)

    assert api.get("/api/v1/drivers/").status_code == 200
    response = api.post("/api/v1/drivers/", {"first_name": "X"}, format="json")
    assert response.status_code == 403


def test_assigning_a_taken_truck_is_a_409(fleet_manager):
    truck = TruckFactory()
    first, second = DriverFactory(), DriverFactory()
    api = bearer(fleet_manager)

    ok = api.post("/api/v1/assignments/", {"driver": first.pk, "truck": truck.pk}, format="json")
    taken = api.post("/api/v1/assignments/", {"driver": second.pk, "truck": truck.pk}, format="json")
    moved = api.post("/api/v1/assignments/", {"driver": second.pk, "truck": truck.pk, "reassign": True}, format="json")

    assert ok.status_code == 201
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "truck_taken"
    assert moved.status_code == 201
    assert Assignment.objects.get(until__isnull=True).driver == second


def test_a_monitoring_system_posts_a_condition_and_the_truck_page_shows_it(client, fleet_manager):
    truck = TruckFactory()
    api = bearer(fleet_manager)
    report = {
        "status": "warning",
        "odometer_km": 48210,
        "readings": {"fridge_temp_c": 7.9},
        "recorded_at": timezone.now().isoformat(),
    }

    posted = api.post(f"/api/v1/trucks/{truck.pk}/condition/", report, format="json")
    history = api.get(f"/api/v1/trucks/{truck.pk}/condition/").json()
    client.force_login(fleet_manager)
    page = client.get(f"/fleet/trucks/{truck.pk}/").content.decode()

    assert posted.status_code == 201
    assert TruckCondition.objects.get().reported_by == fleet_manager
    assert [row["status"] for row in history["results"]] == ["warning"]
    assert "Technical condition" in page
    assert "48210 km" in page
    assert "fridge_temp_c" in page


def test_a_condition_with_a_bad_status_or_readings_is_a_400(fleet_manager):
    truck = TruckFactory()
    api = bearer(fleet_manager)

    bad = api.post(
        f"/api/v1/trucks/{truck.pk}/condition/",
        {"status": "melted", "readings": [1, 2], "recorded_at": timezone.now().isoformat()},
        format="json",
    )

    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"status", "readings"}


def test_clinic_staff_read_conditions_but_cannot_post_them(clinic_staff):
    truck = TruckFactory()
    api = bearer(clinic_staff)

    assert api.get(f"/api/v1/trucks/{truck.pk}/condition/").status_code == 200
    posted = api.post(
        f"/api/v1/trucks/{truck.pk}/condition/",
        {"status": "ok", "recorded_at": timezone.now().isoformat()},
        format="json",
    )
    assert posted.status_code == 403


def test_an_unknown_api_url_answers_404_in_the_error_shape(api):
    response = api.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_spanish_fleet_system_is_refused_an_assignment_in_spanish(fleet_manager):
    truck = TruckFactory()
    first, second = DriverFactory(first_name="Tom", last_name="Taken"), DriverFactory()
    api = bearer(fleet_manager)
    api.post("/api/v1/assignments/", {"driver": first.pk, "truck": truck.pk}, format="json")

    taken = api.post(
        "/api/v1/assignments/", {"driver": second.pk, "truck": truck.pk}, format="json", HTTP_ACCEPT_LANGUAGE="es"
    )

    assert taken.json()["error"]["message"].startswith("Tom Taken ya conduce esta furgoneta")
