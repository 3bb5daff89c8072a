"""Every response carries the browser protections of a health-data site."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def assert_protective_headers(response):
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/healthz/", "/no-such-page/", reverse("account_login"), reverse("account_signup")]
)
def test_public_responses_carry_the_security_headers(client, url):
    assert_protective_headers(client.get(url))


@pytest.mark.django_db
def test_signed_in_pages_carry_the_security_headers(client, person):
    client.force_login(person)

    assert_protective_headers(client.get(reverse("accounts:profile")))


@pytest.mark.django_db
def test_https_responses_ask_browsers_to_stay_on_https(client):
    response = client.get("/", secure=True)

    assert "max-age=31536000" in response["Strict-Transport-Security"]
    assert "includeSubDomains" in response["Strict-Transport-Security"]


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_secure_httponly_and_lax(client, person, settings):
    from project import settings as configured  # what production gets, before test overrides

    assert configured.SESSION_COOKIE_HTTPONLY is True
    assert configured.SESSION_COOKIE_SAMESITE == configured.CSRF_COOKIE_SAMESITE == "Lax"
    assert configured.SESSION_COOKIE_SECURE is True
    assert configured.CSRF_COOKIE_SECURE is True


def test_the_deployment_checklist_is_clean_with_production_settings():
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "ACCOUNT_"))
    }
    env.update(
        DJANGO_SECRET_KEY="a-production-like-secret-key-that-is-long-and-random-0123456789abcdef",
        DJANGO_ALLOWED_HOSTS="vaxfleet.example",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
