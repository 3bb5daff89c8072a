"""The layout's fixed parts are rendered once per process (issue 21) and must
still show each visitor the menu of their own role, in their own language,
with their own name and CSRF token."""

import pytest
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from pagecache.templatetags import layout
from project.middleware import ContentSecurityPolicyMiddleware


@pytest.fixture(autouse=True)
def fresh_parts():
    layout.forget_all()
    yield
    layout.forget_all()


@pytest.mark.django_db
def test_each_role_sees_its_own_menu_whoever_came_before(client, fleet_manager, person):
    client.force_login(fleet_manager)
    fleet_home = client.get("/").content.decode()
    client.force_login(person)
    person_home = client.get("/").content.decode()

    assert reverse("fleet:driver-list") in fleet_home
    assert reverse("fleet:driver-list") not in person_home
    assert "Fred" in fleet_home
    assert "Fred" not in person_home
    assert "Pat" in person_home


@pytest.mark.django_db
def test_the_menu_speaks_the_language_of_each_visitor(client):
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    spanish = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Skip to main content" in english
    assert "Skip to main content" not in spanish
    assert "Saltar al contenido principal" in spanish
    assert 'lang="es"' in spanish


@pytest.mark.django_db
def test_every_visitor_gets_a_csrf_token_of_their_own(client):
    first = client.get("/")
    client.cookies.clear()
    second = client.get("/")

    def token(response):
        html = response.content.decode()
        return html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]

    assert token(first) != token(second)


def test_a_part_varies_on_the_values_it_names_and_nothing_else(settings):
    settings.DEBUG = False
    template = Template("{% load layout %}{% layoutpart flag %}{{ flag }} {{ other }}{% endlayoutpart %}")

    assert template.render(Context({"flag": 1, "other": "a"})) == "1 a"
    # Same vary values: the part as first rendered (what is inside must not depend on "other").
    assert template.render(Context({"flag": 1, "other": "b"})) == "1 a"
    assert template.render(Context({"flag": 2, "other": "b"})) == "2 b"


def test_with_debug_on_an_edited_part_shows_at_once(settings):
    settings.DEBUG = True
    template = Template("{% load layout %}{% layoutpart %}{{ other }}{% endlayoutpart %}")

    assert template.render(Context({"other": "a"})) == "a"
    assert template.render(Context({"other": "b"})) == "b"


def test_two_parts_of_one_template_are_kept_apart(settings):
    settings.DEBUG = False
    template = Template(
        "{% load layout %}{% layoutpart %}head{% endlayoutpart %}|{% layoutpart %}foot{% endlayoutpart %}"
    )

    assert template.render(Context()) == "head|foot"
    assert template.render(Context()) == "head|foot"


def test_the_security_policy_built_once_is_the_one_django_csp_builds(settings):
    settings.DEBUG = False
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse())
    request = RequestFactory().get("/")
    middleware.process_request(request)

    response = middleware.process_response(request, HttpResponse())

    assert response["Content-Security-Policy"] == build_policy()


def test_a_response_that_changes_the_policy_still_gets_its_own(settings):
    settings.DEBUG = False
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse())
    request = RequestFactory().get("/")
    middleware.process_request(request)
    response = HttpResponse()
    response._csp_update = {"img-src": ["https://maps.example.org"]}

    middleware.process_response(request, response)

    assert "https://maps.example.org" in response["Content-Security-Policy"]
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_a_request_that_asks_for_a_nonce_gets_what_django_csp_would_give(settings):
    settings.DEBUG = False
    ours = ContentSecurityPolicyMiddleware(lambda request: HttpResponse())
    theirs = CSPMiddleware(lambda request: HttpResponse())
    headers = []
    for middleware in (ours, theirs):
        request = RequestFactory().get("/")
        middleware.process_request(request)
        request._csp_nonce = "fixed-nonce-for-the-test"
        headers.append(middleware.process_response(request, HttpResponse())["Content-Security-Policy"])

    assert headers[0] == headers[1]
