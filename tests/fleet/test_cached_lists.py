"""The driver and truck lists are rendered once and served from the shared
cache (pagecache.fragments) until the fleet register changes: every change
must show on the next view."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from fleet.models import TruckStatus
from fleet.services import assign
from tests.fleet.factories import DriverFactory, TruckFactory
from tests.pages import queries_of

pytestmark = pytest.mark.django_db
DRIVERS = reverse("fleet:driver-list")
TRUCKS = reverse("fleet:truck-list")


@pytest.fixture
def staff(client, fleet_manager):
    client.force_login(fleet_manager)
    return client


def test_the_driver_list_is_served_from_the_cache_with_fewer_queries(staff):
    DriverFactory(last_name="Zubiri")

    first, _ = queries_of(staff, DRIVERS)
    again, html = queries_of(staff, DRIVERS)

    assert again < first
    assert "Zubiri" in html


def test_an_edited_driver_shows_at_once_in_the_list(staff):
    driver = DriverFactory(last_name="Alvarez")
    queries_of(staff, DRIVERS)

    driver.last_name = "Bermudez"
    driver.save()

    _, html = queries_of(staff, DRIVERS)
    assert "Bermudez" in html
    assert "Alvarez" not in html


def test_a_new_assignment_shows_at_once_in_both_lists(staff, fleet_manager):
    driver = DriverFactory(last_name="Castro")
    truck = TruckFactory(code="TRK-0777")
    queries_of(staff, DRIVERS)
    queries_of(staff, TRUCKS)

    assign(driver=driver, truck=truck, by=fleet_manager)

    assert "TRK-0777" in queries_of(staff, DRIVERS)[1]
    assert "Castro" in queries_of(staff, TRUCKS)[1]


def test_a_truck_sent_to_maintenance_shows_at_once_in_the_truck_list(staff):
    truck = TruckFactory(code="TRK-0555", status=TruckStatus.ACTIVE)
    assert "Active" in queries_of(staff, TRUCKS, {"q": "TRK-0555"})[1]

    truck.status = TruckStatus.MAINTENANCE
    truck.save()

    assert "In maintenance" in queries_of(staff, TRUCKS, {"q": "TRK-0555"})[1]


def test_each_search_has_its_own_copy(staff):
    DriverFactory(last_name="Dominguez")
    DriverFactory(last_name="Esteban")

    assert "Esteban" not in queries_of(staff, DRIVERS, {"q": "Dominguez"})[1]
    assert "Dominguez" not in queries_of(staff, DRIVERS, {"q": "Esteban"})[1]


def test_the_buttons_a_role_may_use_are_not_shared_through_the_cache(client, fleet_manager, clinic_staff):
    DriverFactory()
    client.force_login(fleet_manager)
    assert "Add driver" in queries_of(client, DRIVERS)[1]

    client.force_login(clinic_staff)
    assert "Add driver" not in queries_of(client, DRIVERS)[1]


def test_permission_matters_only_outside_the_cached_part(client, clinic_staff):
    """A role given the right to add drivers sees the button at once: the
    button is outside the cached list."""
    DriverFactory()
    client.force_login(clinic_staff)
    assert "Add driver" not in queries_of(client, DRIVERS)[1]

    clinic_staff.user_permissions.add(Permission.objects.get(codename="add_driver"))

    client.force_login(type(clinic_staff).objects.get(pk=clinic_staff.pk))
    assert "Add driver" in queries_of(client, DRIVERS)[1]
