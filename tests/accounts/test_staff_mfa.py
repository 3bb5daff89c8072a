import time

import pytest
from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _mfa_required(settings):
    settings.STAFF_MFA_REQUIRED = True


def current_code(secret, seconds_needed=5):
    """The authenticator app's code now, as a person reads it off their phone.

    allauth accepts only the current 30-second period (MFA_TOTP_TOLERANCE 0, so
    a used code cannot be replayed in a neighbouring period). A code read in
    the last seconds of a period is stale by the time a slow page posts it, so,
    like a person who sees the app's timer running out, wait for the next one.
    """
    period = app_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < seconds_needed:
        time.sleep(left + 0.05)
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def with_totp(user):
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.mark.django_db
@pytest.mark.parametrize("user_fixture", ["clinic_staff", "fleet_manager", "superuser"])
@pytest.mark.parametrize("url", ["/", "/admin/"])
def test_a_staff_member_without_two_factor_is_sent_to_set_it_up(client, request, user_fixture, url):
    client.force_login(request.getfixturevalue(user_fixture))

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def sign_in(client, user):
    """Through allauth's form, which records the authentication time that
    activating an authenticator checks (force_login does not)."""
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_set_up_page_says_why(client, clinic_staff):
    sign_in(client, clinic_staff)

    response = client.get("/", follow=True)

    # allauth asks for the password once more before adding an authenticator.
    assert response.redirect_chain[0][0] == reverse("mfa_activate_totp")
    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert "needs two-factor authentication" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("user_fixture", ["person", "driver", "client_user"])
def test_people_drivers_and_client_users_are_not_asked_for_two_factor(client, request, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))

    response = client.get("/", follow=True)  # a driver's home is their truck page

    assert response.status_code == 200
    assert all("2fa" not in url for url, _status in response.redirect_chain)


@pytest.mark.django_db
def test_a_staff_member_with_two_factor_uses_the_site(client, clinic_staff):
    with_totp(clinic_staff)
    client.force_login(clinic_staff)

    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_account_pages_stay_reachable_so_staff_can_set_up_two_factor_or_sign_out(client, clinic_staff):
    client.force_login(clinic_staff)

    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302


@pytest.mark.django_db
def test_the_requirement_can_be_switched_off_for_local_demos(client, clinic_staff, settings):
    settings.STAFF_MFA_REQUIRED = False
    client.force_login(clinic_staff)

    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_a_password_alone_does_not_sign_in_a_staff_member_with_two_factor(client, clinic_staff):
    secret = with_totp(clinic_staff)

    response = client.post(reverse("account_login"), {"login": clinic_staff.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    wrong = client.post(
        reverse("mfa_authenticate"), {"code": "000000" if current_code(secret) != "000000" else "111111"}
    )
    assert "_auth_user_id" not in client.session
    assert wrong.status_code == 200

    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert client.session["_auth_user_id"] == str(clinic_staff.pk)
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_a_staff_member_can_activate_an_authenticator_app_and_gets_recovery_codes(client, clinic_staff):
    sign_in(client, clinic_staff)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret

    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})

    assert response.status_code == 302
    kinds = set(Authenticator.objects.filter(user=clinic_staff).values_list("type", flat=True))
    assert kinds == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_turning_two_factor_on_and_off_takes_effect_at_the_next_request(client, clinic_staff):
    client.force_login(clinic_staff)
    assert client.get("/").status_code == 302  # the copy of the rights now says "no two-factor"

    with_totp(clinic_staff)
    assert client.get("/").status_code == 200

    Authenticator.objects.filter(user=clinic_staff).delete()
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_a_staff_page_does_not_ask_the_authenticator_table_on_every_request(client, clinic_staff):
    with_totp(clinic_staff)
    client.force_login(clinic_staff)
    client.get("/")  # stores the copy of the rights, two-factor flag included

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200

    assert not [query for query in queries if Authenticator._meta.db_table in query["sql"]]
