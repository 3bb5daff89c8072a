"""A new password ends every API token of its user, whatever set it: the
password change page, a reset link, the admin, the API's users/. The person
is told on the page. A hash upgrade at sign-in, or any other save, keeps them."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from accounts.models import User
from tests.api.conftest import bearer
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-brand-new-passphrase-2026"
ME = "/api/v1/me/"


def shown(response):
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def test_changing_the_password_on_the_page_revokes_the_tokens_and_says_so(client, person):
    api, other = bearer(person), bearer(person)
    assert api.get(ME).status_code == 200
    client.force_login(person)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert api.get(ME).status_code == 401
    assert other.get(ME).status_code == 401
    assert "2 API tokens were revoked" in shown(response)


def test_a_password_reset_revokes_the_tokens_and_says_so(client, person):
    api = bearer(person)
    client.post(reverse("account_reset_password"), {"email": person.email})
    link = re.search(r"https?://[^\s]+/accounts/password/reset/key/[^\s]+/", mail.outbox[0].body).group(0)
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link

    response = client.post(set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True)

    assert response.status_code == 200
    assert api.get(ME).status_code == 401
    assert "API token was revoked" in response.content.decode()


def test_an_admin_setting_a_password_revokes_the_tokens(client, person, superuser):
    api = bearer(person)
    client.force_login(superuser)

    response = client.post(
        f"/admin/accounts/user/{person.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302, response.content.decode()[:1000]
    assert api.get(ME).status_code == 401


def test_a_password_set_through_the_api_revokes_the_tokens(person, superuser):
    api = bearer(person)

    response = bearer(superuser).patch(f"/api/v1/users/{person.pk}/", {"password": NEW_PASSWORD}, format="json")

    assert response.status_code == 200
    assert api.get(ME).status_code == 401


def test_other_saves_and_a_hash_upgrade_at_sign_in_keep_the_tokens(client, person):
    api = bearer(person)
    person.first_name = "Renamed"
    person.save()

    # The test hasher (MD5) is no longer the preferred one: signing in upgrades the hash.
    with override_settings(
        PASSWORD_HASHERS=[
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
            "django.contrib.auth.hashers.MD5PasswordHasher",
        ]
    ):
        client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert User.objects.get(pk=person.pk).password.startswith("pbkdf2_")

    assert api.get(ME).status_code == 200
