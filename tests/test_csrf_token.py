"""pagecache.csrf.token: the CSRF token a kept page puts in its forms
(issue 21). It must be what Django's get_token gives: the cookie's secret
under a fresh mask each time, with the same side effects, and Django's
middleware must take it."""

import pytest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, _unmask_cipher_token, get_token
from django.test import Client, RequestFactory
from django.urls import reverse

from pagecache import csrf

pytestmark = pytest.mark.django_db


def test_the_token_is_the_secret_of_the_cookie_under_a_new_mask_each_time():
    request = RequestFactory().get("/")
    secret = "A" * 16 + "z9" * 8
    request.META["CSRF_COOKIE"] = secret

    tokens = {csrf.token(request) for _ in range(200)}

    assert len(tokens) == 200
    for token in tokens:
        assert len(token) == 64
        assert set(token) <= set(CSRF_ALLOWED_CHARS)
        assert _unmask_cipher_token(token) == secret
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True  # the cookie is sent again, as Django does
    # Every letter turns up in the masks: nothing is stuck.
    assert set("".join(token[:32] for token in tokens)) == set(CSRF_ALLOWED_CHARS)


def test_a_visitor_without_a_cookie_is_given_a_secret_as_django_would():
    ours, djangos = RequestFactory().get("/"), RequestFactory().get("/")

    token = csrf.token(ours)
    get_token(djangos)

    secret = ours.META["CSRF_COOKIE"]
    assert len(secret) == len(djangos.META["CSRF_COOKIE"]) == 32
    assert _unmask_cipher_token(token) == secret
    assert ours.META["CSRF_COOKIE_NEEDS_UPDATE"] is djangos.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


def test_a_kept_signed_in_page_gives_a_token_the_middleware_takes(person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    client.get("/")  # the home page is drawn once with a stand-in, then kept
    home = client.get("/").content.decode()
    token = home.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]

    refused = client.post(reverse("set_language"), {"language": "es", "csrfmiddlewaretoken": "x" * 64})
    accepted = client.post(reverse("set_language"), {"language": "es", "csrfmiddlewaretoken": token})

    assert refused.status_code == 403
    assert accepted.status_code == 302
