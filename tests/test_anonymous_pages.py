"""The home page and the fixed pages are kept whole for visitors who are not
signed in (issue 21): a kept page must still give each visitor a CSRF token
of their own that works, their language, every header of the full stack,
and must never reach a visitor with a session or a message to see."""

from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from pagecache import anonymous
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

FIXED_PAGES = ["/", "/privacy/", "/accessibility/", "/help/"]


@pytest.fixture(autouse=True)
def nothing_kept():
    anonymous.forget_all()
    yield
    anonymous.forget_all()


def token_of(response) -> str:
    html = response.content.decode()
    return html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("path", FIXED_PAGES)
def test_a_fixed_page_is_rendered_once_then_served_as_it_was(path):
    first = Client().get(path)
    with mock.patch("project.views.render", side_effect=AssertionError("rendered again")):
        again = Client().get(path)

    assert again.status_code == 200
    assert again.content.replace(token_of(again).encode(), b"") == first.content.replace(token_of(first).encode(), b"")


@pytest.mark.parametrize("path", FIXED_PAGES)
def test_a_kept_page_has_every_header_the_whole_stack_gave(path):
    first = Client().get(path)
    again = Client().get(path)

    def headers(response):
        return {name: value for name, value in response.items() if name.lower() not in {"content-length"}}

    assert headers(again) == headers(first)
    for name in ("Content-Security-Policy", "X-Frame-Options", "Content-Language", "Vary", "X-Content-Type-Options"):
        assert name in again, name
    assert again.cookies["csrftoken"].value


def test_each_visitor_gets_a_token_of_their_own_that_works_and_no_other():
    Client().get("/")  # kept
    alice, bob = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    alice_token = token_of(alice.get("/"))
    bob_token = token_of(bob.get("/"))

    assert alice_token != bob_token
    assert alice.cookies["csrftoken"].value != bob.cookies["csrftoken"].value
    # Alice's language form works with her token, not with Bob's.
    refused = alice.post(reverse("set_language"), {"language": "es", "csrfmiddlewaretoken": bob_token})
    accepted = alice.post(reverse("set_language"), {"language": "es", "csrfmiddlewaretoken": alice_token})
    assert refused.status_code == 403
    assert accepted.status_code == 302
    # Her next page is in her new language, kept or not.
    assert "Saltar al contenido principal" in alice.get("/").content.decode()


def test_a_returning_visitor_keeps_their_csrf_cookie():
    visitor = Client(enforce_csrf_checks=True)
    visitor.get("/")
    cookie = visitor.cookies["csrftoken"].value
    token = token_of(visitor.get("/"))

    assert visitor.cookies["csrftoken"].value == cookie
    answer = visitor.post(reverse("set_language"), {"language": "en", "csrfmiddlewaretoken": token})
    assert answer.status_code == 302


def test_each_language_has_its_own_kept_page():
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    spanish = Client(HTTP_ACCEPT_LANGUAGE="es")
    for _ in range(2):
        english_home, spanish_home = english.get("/"), spanish.get("/")
        assert "Get vaccinated near you" in english_home.content.decode()
        assert english_home["Content-Language"] == "en"
        assert 'lang="es"' in spanish_home.content.decode()
        assert spanish_home["Content-Language"] == "es"
        assert "Get vaccinated near you" not in spanish_home.content.decode()


def test_a_signed_in_visitor_never_gets_the_kept_page(client, person):
    Client().get("/")
    client.force_login(person)
    home = client.get("/").content.decode()

    assert "Welcome back, Pat" in home
    assert reverse("account_login") not in home.split("<main", 1)[1]


def test_a_visitor_with_a_message_to_see_gets_it(client, person):
    Client().get("/")
    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    signed_out = client.post(reverse("account_logout"), follow=True)

    assert signed_out.request["PATH_INFO"] == "/"
    assert "You have signed out." in signed_out.content.decode()


def test_a_page_that_is_not_marked_is_never_kept(client):
    client.get(reverse("account_login"))
    client.get("/?utm_source=poster")

    assert anonymous._pages == {}


def test_nothing_is_kept_with_debug_on(settings):
    settings.DEBUG = True
    Client().get("/")

    assert anonymous._pages == {}
