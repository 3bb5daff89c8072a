import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test.utils import override_settings
from django.urls import reverse

from accounts.hashers import BoundedArgon2PasswordHasher
from tests.factories import PASSWORD

REAL_HASHERS = ["accounts.hashers.BoundedArgon2PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


def parameters(encoded):
    return extract_parameters(encoded.removeprefix("argon2"))


def test_the_hasher_is_argon2id_at_the_owasp_floor_with_one_lane():
    hashed = parameters(BoundedArgon2PasswordHasher().encode("a password", BoundedArgon2PasswordHasher().salt()))

    assert hashed.type is Type.ID
    assert hashed.memory_cost == 19 * 1024
    assert hashed.time_cost >= 2
    assert hashed.parallelism == 1


@pytest.mark.django_db
def test_an_old_parameter_argon2_hash_is_upgraded_on_sign_in(client, person):
    # A hash as Django's default Argon2 hasher made it before (100 MiB, 8 lanes).
    old = Argon2PasswordHasher()
    person.password = old.encode(PASSWORD, old.salt())
    person.save(update_fields=["password"])
    assert parameters(person.password).memory_cost == 102400

    with override_settings(PASSWORD_HASHERS=REAL_HASHERS):
        response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})

    assert response.status_code == 302
    person.refresh_from_db()
    upgraded = parameters(person.password)
    assert (upgraded.memory_cost, upgraded.time_cost, upgraded.parallelism) == (19 * 1024, 2, 1)
    assert PasswordHasher().verify(person.password.removeprefix("argon2"), PASSWORD)
