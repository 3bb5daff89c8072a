"""Who may open which fleet page (PRODUCT.md, Roles): clinic staff read,
fleet managers read and write, drivers only /fleet/me/, client users only
their company, everyone else 403, anonymous visitors to the login page."""

import pytest
from django.urls import reverse

from tests.fleet.factories import DriverFactory, TruckFactory

pytestmark = pytest.mark.django_db

ROLES = ["person", "clinic_staff", "fleet_manager", "driver", "client_user", "superuser"]


def _urls(driver, truck):
    return {
        "driver-list": (reverse("fleet:driver-list"), "get"),
        "driver-detail": (reverse("fleet:driver-detail", args=[driver.pk]), "get"),
        "driver-export": (reverse("fleet:driver-export"), "get"),
        "driver-create": (reverse("fleet:driver-create"), "get"),
        "driver-edit": (reverse("fleet:driver-edit", args=[driver.pk]), "get"),
        "driver-assign": (reverse("fleet:driver-assign", args=[driver.pk]), "post"),
        "driver-release": (reverse("fleet:driver-release", args=[driver.pk]), "post"),
        "truck-list": (reverse("fleet:truck-list"), "get"),
        "truck-detail": (reverse("fleet:truck-detail", args=[truck.pk]), "get"),
        "truck-create": (reverse("fleet:truck-create"), "get"),
        "truck-edit": (reverse("fleet:truck-edit", args=[truck.pk]), "get"),
        "me": (reverse("fleet:me"), "get"),
        "client": (reverse("fleet:client"), "get"),
    }


READ = {"driver-list", "driver-detail", "truck-list", "truck-detail"}
WRITE = {
    "driver-export",
    "driver-create",
    "driver-edit",
    "driver-assign",
    "driver-release",
    "truck-create",
    "truck-edit",
}
ALLOWED = {
    "person": set(),
    "clinic_staff": READ,
    "fleet_manager": READ | WRITE,
    "driver": {"me"},
    "client_user": {"client"},
    "superuser": READ | WRITE | {"me", "client"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(READ | WRITE | {"me", "client"}))
def test_each_role_reaches_exactly_its_fleet_pages(client, request, role, name):
    user = request.getfixturevalue(role)
    url, method = _urls(DriverFactory(), TruckFactory())[name]
    client.force_login(user)

    response = getattr(client, method)(url)

    if name in ALLOWED[role]:
        assert response.status_code in {200, 302}, (role, name, response.status_code)
        if response.status_code == 302:
            assert "/accounts/login/" not in response["Location"]
    else:
        assert response.status_code == 403, (role, name, response.status_code)


@pytest.mark.parametrize("name", sorted(READ | WRITE | {"me", "client"}))
def test_anonymous_visitors_are_sent_to_the_login_page(client, name):
    url, method = _urls(DriverFactory(), TruckFactory())[name]

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("driver-list", "post"),
        ("driver-detail", "post"),
        ("driver-export", "post"),
        ("truck-list", "post"),
        ("truck-detail", "delete"),
        ("driver-assign", "get"),
        ("driver-release", "get"),
        ("driver-edit", "put"),
        ("me", "post"),
        ("client", "post"),
    ],
)
def test_fleet_pages_refuse_the_wrong_method(client, superuser, name, method):
    url, _method = _urls(DriverFactory(), TruckFactory())[name]
    client.force_login(superuser)

    assert getattr(client, method)(url).status_code == 405


@pytest.mark.parametrize("name", ["driver-detail", "driver-edit", "truck-detail", "truck-edit"])
def test_a_missing_driver_or_truck_is_404(client, fleet_manager, name):
    client.force_login(fleet_manager)

    assert client.get(reverse(f"fleet:{name}", args=[999999])).status_code == 404
