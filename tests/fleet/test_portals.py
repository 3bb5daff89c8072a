import datetime

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.fleet.factories import (
    AssignmentFactory,
    ClientFactory,
    ClientMembershipFactory,
    DriverFactory,
)

pytestmark = pytest.mark.django_db
ME = reverse("fleet:me")
CLIENT = reverse("fleet:client")


def test_a_driver_sees_their_own_record_and_current_truck(client, driver):
    mine = AssignmentFactory(driver__user=driver, driver__last_name="Mine", truck__code="TRK-0042")
    AssignmentFactory(driver__last_name="Someone", truck__code="TRK-0099")
    client.force_login(driver)

    response = client.get(ME)

    html = response.content.decode()
    assert response.context["driver"] == mine.driver
    assert "TRK-0042" in html
    assert mine.driver.licence_number in html
    assert "Someone" not in html
    assert "TRK-0099" not in html


def test_a_driver_without_a_truck_is_told_so(client, driver):
    DriverFactory(user=driver)
    client.force_login(driver)

    assert "You have no truck assigned" in client.get(ME).content.decode()


def test_a_driver_account_not_linked_to_a_record_is_told_whom_to_ask(client, driver):
    client.force_login(driver)

    response = client.get(ME)

    assert response.status_code == 200
    assert "not linked to a driver record" in response.content.decode()


def test_the_driver_portal_has_a_constant_number_of_queries(client, driver, django_assert_max_num_queries):
    record = DriverFactory(user=driver)
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    for day in range(12):
        AssignmentFactory(
            driver=record,
            since=start + datetime.timedelta(days=day),
            until=start + datetime.timedelta(days=day, hours=1),
        )
    client.force_login(driver)

    # session, user (roles with it), driver, history (and one per mobile clinic its truck brings),
    # and readiness's inspection card (the current truck, its open defects, the last inspection)
    with django_assert_max_num_queries(7):
        client.get(ME)


@pytest.fixture
def acme_user(client_user):
    ClientMembershipFactory(user=client_user, client=ClientFactory(name="Acme"))
    return client_user


def test_a_client_user_sees_only_the_active_drivers_of_their_company_with_limited_fields(client, acme_user):
    acme = acme_user.client_membership.client
    ours = AssignmentFactory(
        driver__client=acme, driver__last_name="Ours", driver__address="Secret Street 1", truck__code="TRK-0042"
    ).driver
    DriverFactory(client=acme, last_name="Gone", is_active=False)
    DriverFactory(client=ClientFactory(name="Rival"), last_name="Theirs")
    DriverFactory(last_name="Nobody")
    client.force_login(acme_user)

    response = client.get(CLIENT)

    html = response.content.decode()
    assert [driver.last_name for driver in response.context["page_obj"]] == ["Ours"]
    assert "Drivers of Acme" in html
    assert str(ours.phone) in html
    assert "TRK-0042" in html
    assert ours.licence_number not in html
    assert "Secret Street" not in html
    assert ours.email not in html


def test_a_client_user_searches_their_drivers(client, acme_user):
    acme = acme_user.client_membership.client
    DriverFactory(client=acme, last_name="Alpha")
    DriverFactory(client=acme, last_name="Beta")
    DriverFactory(client=ClientFactory(), last_name="Alphonse")
    client.force_login(acme_user)

    response = client.get(CLIENT, {"q": "alph"})

    assert [driver.last_name for driver in response.context["page_obj"]] == ["Alpha"]


def test_a_client_user_opens_one_of_their_drivers(client, acme_user):
    ours = DriverFactory(client=acme_user.client_membership.client, address="Secret Street 1")
    client.force_login(acme_user)

    response = client.get(reverse("fleet:client-driver", args=[ours.pk]))

    assert response.status_code == 200
    assert str(ours.phone) in response.content.decode()
    assert "Secret Street" not in response.content.decode()


@pytest.mark.parametrize(
    "whose",
    ["another company", "no company", "inactive", "missing"],
)
def test_a_client_user_gets_404_for_any_driver_not_of_their_company(client, acme_user, whose):
    driver_id = {
        "another company": lambda: DriverFactory(client=ClientFactory(name="Rival")).pk,
        "no company": lambda: DriverFactory().pk,
        "inactive": lambda: DriverFactory(client=acme_user.client_membership.client, is_active=False).pk,
        "missing": lambda: 999999,
    }[whose]()
    client.force_login(acme_user)

    assert client.get(reverse("fleet:client-driver", args=[driver_id])).status_code == 404


def test_a_client_user_cannot_reach_another_companys_driver_by_any_fleet_url(client, acme_user):
    rival = AssignmentFactory(driver__client=ClientFactory(name="Rival")).driver
    client.force_login(acme_user)

    for url in [
        reverse("fleet:driver-detail", args=[rival.pk]),
        reverse("fleet:driver-edit", args=[rival.pk]),
        reverse("fleet:driver-list") + f"?client={rival.client_id}",
        reverse("fleet:driver-export") + f"?client={rival.client_id}",
        reverse("fleet:truck-detail", args=[rival.assignments.get().truck_id]),
    ]:
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("fleet:client-driver", args=[rival.pk])).status_code == 404
    assert list(client.get(CLIENT, {"q": rival.last_name}).context["page_obj"]) == []


def test_a_client_user_without_a_company_sees_no_driver(client, client_user):
    DriverFactory(last_name="Unclaimed")
    client.force_login(client_user)

    response = client.get(CLIENT)

    assert "not linked to a client company" in response.content.decode()
    assert "Unclaimed" not in response.content.decode()
    assert client.get(reverse("fleet:client-driver", args=[DriverFactory().pk])).status_code == 404


@pytest.mark.parametrize("count", [1, 30])
def test_the_client_portal_has_a_constant_number_of_queries(client, acme_user, django_assert_max_num_queries, count):
    for driver in DriverFactory.create_batch(count, client=acme_user.client_membership.client):
        AssignmentFactory(driver=driver)
    client.force_login(acme_user)

    # session, user (roles with it), membership, count, page
    with django_assert_max_num_queries(5):
        client.get(CLIENT)


def test_a_member_of_another_company_does_not_see_ours(client):
    rival_user = UserFactory(roles=["Client user"])
    ClientMembershipFactory(user=rival_user, client=ClientFactory(name="Rival"))
    DriverFactory(client=ClientFactory(name="Acme"), last_name="Acmeson")
    client.force_login(rival_user)

    assert "Acmeson" not in client.get(CLIENT).content.decode()
