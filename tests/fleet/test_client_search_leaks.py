"""A client user searches and sorts only over what they are shown of their
drivers (name, phone, licence validity, current truck code), on the portal
and through the API: a licence number or email was recoverable by prefix
search, and ?ordering=licence_number sorted by the hidden field."""

import datetime

import pytest
from django.urls import reverse

from tests.api.conftest import bearer
from tests.fleet.factories import AssignmentFactory, ClientMembershipFactory, DriverFactory

pytestmark = pytest.mark.django_db
PORTAL = reverse("fleet:client")
API = "/api/v1/drivers/"


@pytest.fixture
def company_driver(client_user):
    company = ClientMembershipFactory(user=client_user).client
    assignment = AssignmentFactory(
        driver__client=company,
        driver__first_name="Ana",
        driver__last_name="Zapata",
        driver__phone="+34 600 111 222",
        driver__email="secret.mailbox@example.org",
        driver__licence_number="LICSECRET-9",
        truck__code="TRK-0777",
    )
    return assignment.driver


def portal_names(client, q):
    response = client.get(PORTAL, {"q": q})
    assert response.status_code == 200
    return [driver.last_name for driver in response.context["page_obj"]]


def api_names(api, **params):
    response = api.get(API, params)
    assert response.status_code == 200
    return [row["last_name"] for row in response.json()["results"]]


@pytest.mark.parametrize("hidden", ["licsecret", "LICSECRET-9", "secret.mailbox", "@example.org"])
def test_a_client_user_cannot_find_a_driver_by_licence_number_or_email(client, client_user, company_driver, hidden):
    client.force_login(client_user)

    assert portal_names(client, hidden) == []
    assert api_names(bearer(client_user), search=hidden) == []


@pytest.mark.parametrize("shown", ["ana", "Zapata", "ana zap", "600 111", "trk-0777"])
def test_a_client_user_finds_a_driver_by_what_they_are_shown(client, client_user, company_driver, shown):
    client.force_login(client_user)

    assert portal_names(client, shown) == ["Zapata"]
    assert api_names(bearer(client_user), search=shown) == ["Zapata"]


def test_staff_still_search_the_whole_record(fleet_manager, company_driver):
    assert api_names(bearer(fleet_manager), search="licsecret") == ["Zapata"]


def test_a_client_user_cannot_sort_by_licence_number(client, client_user, company_driver):
    # Name order and licence-number order disagree.
    DriverFactory(client=company_driver.client, last_name="Abad", licence_number="ZZZ-1")
    client.force_login(client_user)
    api = bearer(client_user)

    assert api_names(api, ordering="licence_number") == ["Abad", "Zapata"]
    assert api_names(api, ordering="-licence_number") == ["Abad", "Zapata"]
    assert api_names(api, ordering="-last_name") == ["Zapata", "Abad"]
    assert portal_names(client, "") == ["Abad", "Zapata"]
    response = client.get(PORTAL, {"ordering": "licence_number", "sort": "licence"})
    assert [driver.last_name for driver in response.context["page_obj"]] == ["Abad", "Zapata"]


def test_a_fleet_manager_still_sorts_by_licence_number(fleet_manager, company_driver):
    DriverFactory(client=company_driver.client, last_name="Abad", licence_number="ZZZ-1")

    assert api_names(bearer(fleet_manager), ordering="licence_number") == ["Zapata", "Abad"]


def test_the_licence_expiry_a_client_user_sees_still_sorts(client_user, company_driver):
    DriverFactory(client=company_driver.client, last_name="Abad", licence_expiry=datetime.date(2040, 1, 1))

    assert api_names(bearer(client_user), ordering="-licence_expiry") == ["Abad", "Zapata"]
