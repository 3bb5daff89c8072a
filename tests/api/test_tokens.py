from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from api.models import ApiToken, digest
from tests.accounts.test_staff_mfa import with_totp
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(person):
    """A person who asked for API tokens on their profile (accounts.roles.may_use_api)."""
    person.wants_api = True
    person.save(update_fields=["wants_api"])
    return person


def create_token(client, name="dispatch", days=90):
    return client.post("/accounts/tokens/", {"name": name, "days": days})


def secret_from(response):
    return response.context["secret"]


def test_a_person_creates_a_token_that_is_shown_once_and_stored_only_as_a_digest(client, person):
    client.force_login(person)

    response = create_token(client)

    secret = secret_from(response)
    token = ApiToken.objects.get(user=person)
    assert secret.startswith("vxf_")
    assert secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert token.key_digest == digest(secret)
    assert secret not in token.key_digest
    assert token.prefix == secret[: len(token.prefix)]
    assert token.expires_at - timezone.now() > timedelta(days=89)
    listing = client.get("/accounts/tokens/").content.decode()
    assert "dispatch" in listing
    assert secret not in listing


def test_a_token_calls_the_api_as_its_user_and_records_its_last_use(client, api, person):
    client.force_login(person)
    secret = secret_from(create_token(client))
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")

    response = api.get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json()["email"] == person.email
    assert ApiToken.objects.get(user=person).last_used_at is not None
    assert "never" not in client.get("/accounts/tokens/").content.decode()


def test_a_revoked_token_no_longer_works(client, api, person):
    client.force_login(person)
    secret = secret_from(create_token(client))
    token = ApiToken.objects.get(user=person)

    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = api.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_no_longer_works(api, person):
    _token, secret = ApiToken.issue(user=person, name="short", days=30)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")

    with time_machine.travel(timezone.now() + timedelta(days=31)):
        response = api.get("/api/v1/me/")

    assert response.status_code == 401


def test_a_wrong_or_missing_token_is_a_401_in_the_error_shape(api):
    api.credentials(HTTP_AUTHORIZATION="Bearer vxf_not-a-real-token")
    wrong = api.get("/api/v1/me/")
    api.credentials()
    missing = api.get("/api/v1/me/")

    assert wrong.status_code == missing.status_code == 401
    assert missing.json()["error"]["code"] == "not_authenticated"


def test_another_users_token_cannot_be_revoked(client, person, other_person):
    token, _secret = ApiToken.issue(user=other_person, name="theirs", days=30)
    client.force_login(person)

    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoke_needs_a_post(client, person):
    token, _secret = ApiToken.issue(user=person, name="mine", days=30)
    client.force_login(person)

    assert client.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405


def test_an_anonymous_visitor_is_sent_to_sign_in_for_the_token_page(client):
    response = client.get("/accounts/tokens/")

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_profile_page_links_to_the_token_page(client, person):
    client.force_login(person)

    assert "/accounts/tokens/" in client.get("/accounts/profile/").content.decode()


# Staff two-factor: neither a session nor a token gets around it.


def test_staff_without_two_factor_cannot_create_a_token(client, clinic_staff, settings):
    settings.STAFF_MFA_REQUIRED = True
    client.force_login(clinic_staff)

    response = create_token(client)

    assert response.status_code == 302
    assert "/2fa/" in response["Location"]
    assert not ApiToken.objects.exists()


def test_staff_without_two_factor_get_a_json_403_on_the_api_by_session(client, clinic_staff, settings):
    settings.STAFF_MFA_REQUIRED = True
    client.force_login(clinic_staff)

    response = client.get("/api/v1/trucks/")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_required"


def test_a_staff_token_stops_working_when_two_factor_is_removed(clinic_staff, settings):
    settings.STAFF_MFA_REQUIRED = True
    with_totp(clinic_staff)
    api = bearer(clinic_staff)
    assert api.get("/api/v1/trucks/").status_code == 200

    clinic_staff.authenticator_set.all().delete()

    assert api.get("/api/v1/trucks/").status_code == 401


def test_staff_with_two_factor_create_a_token_and_use_it(client, clinic_staff, settings):
    settings.STAFF_MFA_REQUIRED = True
    with_totp(clinic_staff)
    client.force_login(clinic_staff)

    secret = secret_from(create_token(client))

    assert bearer_get(secret, "/api/v1/trucks/").status_code == 200


def bearer_get(secret, url):
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return api.get(url)


def test_requests_past_the_per_token_rate_get_429_in_the_error_shape(person, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "5/min", "user": "100/min", "token": "3/min"},
    }
    api = bearer(person)

    codes = [api.get("/api/v1/me/").status_code for _ in range(4)]
    second = bearer(person).get("/api/v1/me/")

    assert codes == [200, 200, 200, 429]
    assert api.get("/api/v1/me/").json()["error"]["code"] == "throttled"
    assert second.status_code == 200, "another token of the same user has its own allowance"


def test_an_admin_revokes_a_token_from_the_admin(client, superuser, person):
    token, secret = ApiToken.issue(user=person, name="leaked", days=30)
    client.force_login(superuser)

    client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer_get(secret, "/api/v1/me/").status_code == 401


def test_a_session_call_that_changes_something_needs_the_csrf_token(person):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(person)

    response = browser.patch("/api/v1/me/", {"phone": "+34 600 000 111"}, content_type="application/json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]


def test_requests_past_the_per_user_rate_get_429_whatever_the_token(person, settings):
    rates = {"anon": "5/min", "user": "3/min", "token": "100/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    codes = [bearer(person).get("/api/v1/me/").status_code for _ in range(4)]

    assert codes == [200, 200, 200, 429]


def test_an_anonymous_caller_cannot_dodge_the_limit_with_a_forged_forwarded_for(api, settings):
    rates = {"anon": "2/min", "user": "100/min", "token": "100/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    codes = [api.get("/api/v1/sites/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code for n in range(3)]

    assert codes == [200, 200, 429]
