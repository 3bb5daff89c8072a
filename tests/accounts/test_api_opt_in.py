"""API tokens are shown to those who can use the API: every role, and a
person who asks for them on the profile."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

TOKENS = reverse("tokens:list")
PROFILE = reverse("accounts:profile")


def test_a_person_is_not_shown_api_tokens_and_cannot_open_the_page(client, person):
    client.force_login(person)

    page = client.get(PROFILE).content.decode()

    assert TOKENS not in page
    assert "API tokens" not in page.split("<form")[0]  # not in the account menu either
    assert client.get(TOKENS).status_code == 403


def test_a_person_who_opts_in_on_the_profile_gets_the_token_page(client, person):
    client.force_login(person)

    client.post(PROFILE, {"first_name": "Pat", "last_name": "Person", "phone": "", "wants_api": "on"})

    person.refresh_from_db()
    assert person.wants_api
    assert TOKENS in client.get(PROFILE).content.decode()
    assert client.get(TOKENS).status_code == 200


def test_staff_and_drivers_see_api_tokens_without_being_asked(client, fleet_manager, driver, settings):
    settings.STAFF_MFA_REQUIRED = False
    for user in (fleet_manager, driver):
        client.force_login(user)
        page = client.get(PROFILE)
        assert "wants_api" not in page.context["form"].fields
        assert TOKENS in page.content.decode()
        assert client.get(TOKENS).status_code == 200
