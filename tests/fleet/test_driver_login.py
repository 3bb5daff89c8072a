"""Issue 14 item 3 (fourth bullet): linking a driver's login is a service.
Linking grants the Driver role, unlinking takes it away, and no answer tells
whether an address has an account."""

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.urls import reverse

from accounts.roles import Role, has_role
from fleet.models import Driver
from fleet.services import link_login
from tests.api.conftest import bearer
from tests.factories import UserFactory
from tests.fleet.factories import DriverFactory
from tests.fleet.test_driver_pages import DRIVER_DATA

pytestmark = pytest.mark.django_db


def roles_of(user):
    # A fresh copy: the roles are read once per user object.
    return has_role(type(user).objects.get(pk=user.pk), Role.DRIVER)


def test_linking_grants_the_driver_role_and_unlinking_takes_it_away():
    account = UserFactory(email="nadia@example.org")
    driver = DriverFactory()

    link_login(driver=driver, email="Nadia@Example.org")
    assert Driver.objects.get(pk=driver.pk).user == account
    assert roles_of(account)

    link_login(driver=driver, email="")
    assert Driver.objects.get(pk=driver.pk).user is None
    assert not roles_of(account)


def test_linking_another_address_takes_the_role_from_the_account_linked_before():
    first, second = UserFactory(email="first@example.org"), UserFactory(email="second@example.org")
    driver = DriverFactory()
    link_login(driver=driver, email=first.email)

    link_login(driver=driver, email=second.email)

    assert not roles_of(first)
    assert roles_of(second)


def test_unlinking_on_the_edit_page_takes_the_role_away(client, fleet_manager):
    account = UserFactory(email="nadia@example.org")
    client.force_login(fleet_manager)
    client.post(reverse("fleet:driver-create"), {**DRIVER_DATA, "login_email": account.email})
    driver = Driver.objects.get()
    assert roles_of(account)

    client.post(reverse("fleet:driver-edit", args=[driver.pk]), {**DRIVER_DATA, "login_email": ""})

    assert Driver.objects.get().user is None
    assert not roles_of(account)


def test_the_page_answers_the_same_whether_or_not_an_address_has_an_account(client, fleet_manager):
    UserFactory(email="someone@example.org")
    client.force_login(fleet_manager)

    known = client.post(reverse("fleet:driver-create"), {**DRIVER_DATA, "login_email": "someone@example.org"})
    first = Driver.objects.get()
    unknown = client.post(
        reverse("fleet:driver-create"),
        {**DRIVER_DATA, "licence_number": "B-999", "login_email": "nobody@example.org"},
    )
    second = Driver.objects.exclude(pk=first.pk).get()
    known_page = client.get(reverse("fleet:driver-detail", args=[first.pk])).content.decode()
    unknown_page = client.get(reverse("fleet:driver-detail", args=[second.pk])).content.decode()

    assert (known.status_code, unknown.status_code) == (302, 302)
    assert "someone@example.org" in known_page
    assert "nobody@example.org" in unknown_page


def test_the_api_answers_the_same_whether_or_not_an_address_has_an_account(fleet_manager):
    UserFactory(email="someone@example.org")
    api = bearer(fleet_manager)
    body = {key: value for key, value in DRIVER_DATA.items() if key not in {"client", "is_active"}}

    known = api.post("/api/v1/drivers/", {**body, "login_email": "someone@example.org"}, format="json")
    unknown = api.post(
        "/api/v1/drivers/", {**body, "licence_number": "B-999", "login_email": "nobody@example.org"}, format="json"
    )

    assert (known.status_code, unknown.status_code) == (201, 201)
    assert known.json().keys() == unknown.json().keys()
    assert known.json()["login_email"] == "someone@example.org"
    assert unknown.json()["login_email"] == "nobody@example.org"


def test_an_account_that_confirms_the_address_later_is_linked_then(rf):
    driver = DriverFactory()
    link_login(driver=driver, email="later@example.org")
    account = UserFactory(email="later@example.org", verified=False)
    address = EmailAddress.objects.create(user=account, email=account.email, verified=True, primary=True)
    assert Driver.objects.get(pk=driver.pk).user is None

    email_confirmed.send(sender=EmailAddress, request=rf.get("/"), email_address=address)

    assert Driver.objects.get(pk=driver.pk).user == account
    assert roles_of(account)


def test_the_admin_links_through_the_service(admin_client):
    account = UserFactory(email="nadia@example.org")
    driver = DriverFactory()
    url = reverse("admin:fleet_driver_change", args=[driver.pk])
    from tests.fleet.test_rules_at_their_edges import admin_form_data

    response = admin_client.post(url, admin_form_data(admin_client, url, login_email=account.email))

    assert response.status_code == 302, response.context["adminform"].form.errors

    assert Driver.objects.get(pk=driver.pk).user == account
    assert roles_of(account)
