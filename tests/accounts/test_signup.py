import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import override_settings
from django.urls import reverse

import project.settings as configured
from accounts.models import User

SIGNUP = {
    "email": "New.Person@Example.org",
    "first_name": "Nina",
    "last_name": "New",
    "password1": "a-long-enough-passphrase",
    "password2": "a-long-enough-passphrase",
}


def _verification_link(message):
    return re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", message.body).group(0)


@pytest.mark.django_db
def test_signup_creates_the_user_with_names_and_sends_a_verification_email(client):
    response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get()
    assert user.email == "new.person@example.org"
    assert (user.first_name, user.last_name) == ("Nina", "New")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.org"]
    assert "/accounts/confirm-email/" in mail.outbox[0].body


@pytest.mark.django_db
def test_signup_form_asks_for_the_fields_of_the_product_in_reading_order(client):
    form = client.get(reverse("account_signup")).context["form"]

    assert list(form.fields)[:5] == ["email", "first_name", "last_name", "password1", "password2"]


@pytest.mark.django_db
def test_signup_with_an_address_taken_in_another_letter_case_creates_nobody_and_reveals_nothing(client, person):
    response = client.post(reverse("account_signup"), {**SIGNUP, "email": "PAT@example.org"})

    # Same answer as a real signup, so nobody can probe which addresses have
    # accounts; the owner gets a mail saying someone tried.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email__iexact="pat@example.org").count() == 1
    assert mail.outbox[0].to == ["pat@example.org"]
    assert "already" in mail.outbox[0].body


@pytest.mark.django_db
def test_signup_refuses_a_weak_password(client):
    response = client.post(reverse("account_signup"), {**SIGNUP, "password1": "12345678", "password2": "12345678"})

    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_new_user_cannot_sign_in_before_verifying_and_can_after(client):
    client.post(reverse("account_signup"), SIGNUP)
    client.logout()

    before = client.post(reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]})
    assert before.status_code == 302
    assert before["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    link = _verification_link(mail.outbox[-1])
    assert client.get(link).status_code == 200
    confirmed = client.post(link)
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(email="new.person@example.org").verified

    after = client.post(reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]})
    assert after.status_code == 302
    assert after["Location"] == reverse("landing")
    assert client.session["_auth_user_id"] == str(User.objects.get().pk)


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=configured.PASSWORD_HASHERS)
def test_passwords_are_stored_with_argon2(client):
    client.post(reverse("account_signup"), SIGNUP)

    assert User.objects.get().password.startswith("argon2$")
