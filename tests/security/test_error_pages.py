"""Error pages are styled and tell an attacker nothing: no traceback, no
settings, no echo of what was sent."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROBE = "<script>alert('x')</script>"


@override_settings(ROOT_URLCONF="tests.security.urls")
def test_a_server_error_shows_the_styled_page_and_no_detail():
    client = Client(raise_request_exception=False)

    response = client.get("/test-boom/")

    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    for leak in ("secret-internal-detail", "hunter2", "Traceback", "RuntimeError", "/srv/app"):
        assert leak not in page


def test_a_missing_page_does_not_echo_the_address(client):
    response = client.get(f"/no-such-page/{PROBE}/")

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
    assert "alert(" not in response.content.decode()
    assert "no-such-page" not in response.content.decode()


def test_a_forbidden_page_is_styled_and_names_nothing(client, person):
    client.force_login(person)

    response = client.get(reverse("fleet:driver-list"))

    assert response.status_code == 403
    assert "This page is not available to your account" in response.content.decode()


def test_an_unknown_host_gets_the_styled_400_page_without_the_host(client):
    response = client.get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert "We could not understand that request" in response.content.decode()
    assert "evil.example" not in response.content.decode()


def test_a_forged_form_without_csrf_token_is_403_not_500(person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)

    response = client.post(reverse("accounts:profile"), {"first_name": "Mallory"})

    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    person.refresh_from_db()
    assert person.first_name == "Pat"
