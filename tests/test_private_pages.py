"""Pages with personal data are kept by no shared cache and by no browser
disk cache: every response to a signed-in user, and every response under
the personal-data prefixes, says `Cache-Control: private, no-store`
(project.middleware.PrivateCacheMiddleware, one rule for all)."""

import pytest
from django.test import Client

from tests.api.conftest import bearer
from tests.test_access_matrix import (
    OK,
    POLICY,
    POST_ONLY,
    ROLES,
    url_for,
    world,  # noqa: F401 -- the fixture, shared
)

pytestmark = pytest.mark.django_db


def assert_private(response):
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert {"private", "no-store"} <= directives, response.get("Cache-Control")
    assert "public" not in directives


@pytest.mark.parametrize("name", sorted(name for name, policy in POLICY.items() if OK in policy.values()))
def test_every_page_a_signed_in_role_opens_is_private_and_not_stored(request, name):
    users, args = request.getfixturevalue("world")
    url = url_for(name, args)
    for role in ROLES:
        if POLICY[name][role] != OK or users[role] is None:
            continue
        client = Client()
        client.force_login(users[role])
        response = client.post(url) if name in POST_ONLY else client.get(url)
        assert response.status_code == OK, (role, url)
        assert_private(response)


@pytest.mark.parametrize(
    "url", ["/appointments/", "/appointments/book/", "/accounts/login/", "/accounts/signup/", "/fleet/drivers/"]
)
def test_personal_data_prefixes_are_private_even_for_an_anonymous_visitor(client, url):
    assert_private(client.get(url))


def test_the_api_me_is_private_by_token_and_by_session(client, person):
    assert_private(bearer(person).get("/api/v1/me/"))
    client.force_login(person)
    assert_private(client.get("/api/v1/me/"))


def test_a_refusal_and_a_redirect_of_a_signed_in_user_are_private_too(client, person):
    client.force_login(person)

    assert_private(client.get("/fleet/drivers/"))  # 403
    assert_private(client.get("/appointments/999999/"))  # 404


def test_static_files_stay_cacheable(settings):
    # WhiteNoise answers static files before the rule runs (tests serve none to fetch).
    order = settings.MIDDLEWARE
    assert order.index("whitenoise.middleware.WhiteNoiseMiddleware") < order.index(
        "project.middleware.PrivateCacheMiddleware"
    )
