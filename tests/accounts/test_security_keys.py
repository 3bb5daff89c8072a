"""Security keys belong to their owner: another person's key is a 404."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def olives_key(other_person):
    return Authenticator.objects.create(
        user=other_person, type=Authenticator.Type.WEBAUTHN, data={"name": "Olive's key", "credential": {}}
    )


@pytest.mark.parametrize("page", ["mfa_edit_webauthn", "mfa_remove_webauthn"])
def test_another_persons_security_key_is_404_even_after_confirming_the_password(client, person, olives_key, page):
    client.force_login(person)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    seen = client.get(reverse(page, args=[olives_key.pk]))
    removed = client.post(reverse("mfa_remove_webauthn", args=[olives_key.pk]))

    assert seen.status_code == 404
    assert removed.status_code == 404
    assert Authenticator.objects.filter(pk=olives_key.pk).exists()
