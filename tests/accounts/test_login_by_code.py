"""Signing in and signing up with a code emailed to the person; accounts with
a role keep their password and two-factor authentication."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REQUEST_CODE = reverse("account_request_login_code")
CONFIRM_CODE = reverse("account_confirm_login_code")
SIGNUP_CODE = reverse("accounts:signup-code")
CODE_LINE = r"^([A-Z0-9]{4}-[A-Z0-9]{4})$"


def emailed_code():
    found = re.search(CODE_LINE, mail.outbox[-1].body, re.MULTILINE)
    return found.group(1) if found else None


def signed_in_user(client):
    return client.session.get("_auth_user_id")


def test_a_person_signs_in_with_the_code_emailed_to_them(client, person):
    client.post(REQUEST_CODE, {"email": person.email})
    assert mail.outbox[-1].to == [person.email]

    response = client.post(CONFIRM_CODE, {"code": emailed_code()})

    assert response.status_code == 302
    assert signed_in_user(client) == str(person.pk)


def test_the_sign_in_page_offers_a_code_instead_of_a_password(client):
    assert REQUEST_CODE in client.get(reverse("account_login")).content.decode()


@pytest.mark.parametrize(
    ("roles", "admin"),
    [
        ([Role.CLINIC_STAFF], False),
        ([Role.FLEET_MANAGER], False),
        ([Role.CAMPAIGN_LEAD], False),
        ([Role.DRIVER], False),
        ([Role.CLIENT_USER], False),
        ([], True),
    ],
    ids=["clinic staff", "fleet manager", "campaign lead", "driver", "client user", "admin"],
)
def test_an_account_with_a_role_gets_no_code_and_is_told_to_use_its_password(client, roles, admin):
    member = UserFactory(roles=roles, is_staff=admin, is_superuser=admin)

    response = client.post(REQUEST_CODE, {"email": member.email})

    # The same next page as anyone's, so the form reveals no roles.
    assert response.status_code == 302
    assert response["Location"].startswith(CONFIRM_CODE)
    assert mail.outbox[-1].to == [member.email]
    assert emailed_code() is None
    assert "sign in with your password and two-factor authentication" in mail.outbox[-1].body


def test_a_code_that_reaches_an_account_with_a_role_still_does_not_sign_it_in(client, clinic_staff, monkeypatch):
    # Even were the code known (say, read from the session store), the
    # sign-in by code stops before a session is opened.
    code = "KNWN-CODE"
    monkeypatch.setattr("accounts.adapter.AccountAdapter.generate_login_code", lambda self: code)
    client.post(REQUEST_CODE, {"email": clinic_staff.email})

    response = client.post(CONFIRM_CODE, {"code": code}, follow=True)

    assert signed_in_user(client) is None
    assert response.redirect_chain[-1][0] == reverse("account_login")
    assert "sign in with your password and two-factor authentication" in response.content.decode()


def test_staff_still_sign_in_with_their_password(client, clinic_staff):
    from tests.factories import PASSWORD

    client.post(reverse("account_login"), {"login": clinic_staff.email, "password": PASSWORD})

    assert signed_in_user(client) == str(clinic_staff.pk)


def test_a_new_person_signs_up_without_a_password_and_is_signed_in_by_the_code(client):
    form = client.get(SIGNUP_CODE).context["form"]
    assert "password1" not in form.fields
    assert list(form.fields)[:3] == ["email", "first_name", "last_name"]

    sent = client.post(SIGNUP_CODE, {"email": "Nina@Example.org", "first_name": "Nina", "last_name": "New"})
    client.post(sent["Location"], {"code": emailed_code()})

    nina = User.objects.get(email="nina@example.org")
    assert signed_in_user(client) == str(nina.pk)
    assert not nina.has_usable_password()
    assert nina.emailaddress_set.get().verified


def test_signing_up_by_code_with_a_known_address_signs_that_account_in_and_creates_nobody(client, person):
    sent = client.post(SIGNUP_CODE, {"email": "pat@example.org", "first_name": "X", "last_name": "Y"})
    client.post(sent["Location"], {"code": emailed_code()})

    assert signed_in_user(client) == str(person.pk)
    assert User.objects.count() == 1


def test_the_password_signup_still_asks_for_a_password_and_links_to_the_code_way(client):
    page = client.get(reverse("account_signup"))

    assert list(page.context["form"].fields)[:5] == ["email", "first_name", "last_name", "password1", "password2"]
    assert SIGNUP_CODE in page.content.decode()


def test_a_person_without_a_password_sets_one_later(client):
    sent = client.post(SIGNUP_CODE, {"email": "nina@example.org", "first_name": "Nina", "last_name": "New"})
    client.post(sent["Location"], {"code": emailed_code()})
    assert reverse("account_set_password") in client.get(reverse("accounts:profile")).content.decode()

    client.post(
        reverse("account_set_password"),
        {"password1": "a-long-enough-passphrase", "password2": "a-long-enough-passphrase"},
    )

    assert User.objects.get(email="nina@example.org").check_password("a-long-enough-passphrase")


def test_signing_up_by_code_is_rate_limited(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    statuses = [
        client.post(SIGNUP_CODE, {"email": f"n{n}@example.org", "first_name": "N", "last_name": "N"}).status_code
        for n in range(3)
    ]

    assert statuses == [302, 302, 429]
    assert User.objects.count() == 2


def test_the_code_signup_page_in_spanish(client):
    text = client.get(SIGNUP_CODE, HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Registrarse sin contraseña" in text
