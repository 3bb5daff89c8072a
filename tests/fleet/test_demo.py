import pytest
from django.urls import reverse

from accounts.demo import seed_accounts
from fleet.demo import DEMO_DRIVER_TRUCK_CODE, seed_fleet
from fleet.models import Assignment, Client, ClientMembership, Driver, Truck

pytestmark = pytest.mark.django_db


def test_seed_fleet_creates_the_demo_fleet_and_links_the_demo_accounts():
    users = seed_accounts()

    seed_fleet(users)

    assert Driver.objects.count() == 50
    assert Truck.objects.count() == 40
    assert Client.objects.count() == 2
    assert Assignment.objects.filter(until__isnull=True).count() == 30
    assert Assignment.objects.filter(until__isnull=False).count() == 10
    demo_driver = Driver.objects.get(user=users["driver@example.com"])
    assert demo_driver.current_assignment.truck.code == DEMO_DRIVER_TRUCK_CODE
    assert demo_driver.assignments.count() == 2
    assert ClientMembership.objects.get(user=users["client@example.com"]).client == demo_driver.client


def test_seed_fleet_can_run_twice_without_duplicates():
    users = seed_accounts()
    seed_fleet(users)

    seed_fleet(seed_accounts())

    assert Driver.objects.count() == 50
    assert Truck.objects.count() == 40
    assert Assignment.objects.count() == 40
    assert ClientMembership.objects.count() == 1


def test_the_demo_driver_and_client_see_their_pages(client):
    users = seed_accounts()
    seed_fleet(users)

    client.force_login(users["driver@example.com"])
    assert DEMO_DRIVER_TRUCK_CODE in client.get(reverse("fleet:me")).content.decode()
    client.force_login(users["client@example.com"])
    response = client.get(reverse("fleet:client"))
    assert "Drivers of Northwind Logistics" in response.content.decode()
    assert response.context["page_obj"].paginator.count > 10
