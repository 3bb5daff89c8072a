"""Every page the access matrix opens to a role, in the browser, signed in as
that role: axe finds no WCAG 2.2 AA violation, at desktop width and at 360 px,
no page is wider than a 360 px phone, and its buttons, fields and menu links
are at least 44 px tap targets there."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.browser.conftest import NARROW, SMALL_TAP_TARGETS, axe_violations, describe
from tests.test_access_matrix import OK, POLICY, POST_ONLY, ROLES, url_for, world  # noqa: F401 - its fixture

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# What the matrix lists that is not a page a person reads: a health probe, a
# redirect, downloads and the day board's rows fragment fetched by its script.
NOT_PAGES = {
    "healthz",
    "favicon",
    "vaccination:appointment-calendar",
    "fleet:driver-export",
    "fleet:client-export",
    "campaign:export-csv",
    "campaign:export-fhir",
    "readiness:export",
    "readiness:inspection-photo",  # an image
    "clinic:today-rows",
    "clinic:desk-sw",  # the desk's service worker, a script
    "clinic:desk-manifest",  # the desk's web app manifest, JSON
    "accounts:data-export",  # a JSON download
    "api-schema",  # the OpenAPI document, a download
    "stock:affected-csv",  # a CSV download
}
# allauth's pages are not in the matrix (allauth guards them); the ones every
# visitor or signed-in person meets are checked too.
ACCOUNT_PAGES = {
    "anonymous": ["account_login", "account_signup", "account_reset_password"],
    "person": ["account_email", "account_change_password", "mfa_index"],
}
# The error pages people meet: (role, url, status).
ERROR_PAGES = {"anonymous": [("/no-such-page/", 404)], "person": [("/clinic/checkin/", 403)]}
DESKTOP = {"width": 1280, "height": 900}


def pages_for(role, args):
    """(url, status) of every page `role` may open, and the error pages."""
    names = [name for name, codes in sorted(POLICY.items()) if codes[role] == OK and name not in NOT_PAGES | POST_ONLY]
    urls = [url_for(name, args) for name in names] + [reverse(name) for name in ACCOUNT_PAGES.get(role, [])]
    return [(url, OK) for url in urls] + ERROR_PAGES.get(role, [])


def signed_in_context(browser, live_server, user):
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies["sessionid"]
        context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return context


# The roles that open most pages walk them in this many parts, each a test of its own.
PARTS = {"superuser": 3, "campaign_lead": 2}


# One test a role (or a part of its pages), so the parallel workers share
# this long walk: the superuser's alone took over a minute, and ran last.
@pytest.mark.parametrize(
    ("role", "part"), [(role, part) for role in ROLES for part in range(PARTS.get(role, 1))], ids=lambda v: str(v)
)
def test_every_page_of_a_role_passes_axe_and_fits_a_360_px_phone(browser, live_server, request, role, part):
    users, args = request.getfixturevalue("world")  # the access matrix's people and objects
    visited, violations, too_wide, small, csp = [], [], [], [], []
    context = signed_in_context(browser, live_server, users[role])
    tab = context.new_page()
    tab.on("console", lambda message: "Content Security Policy" in message.text and csp.append(message.text))
    every = pages_for(role, args)
    assert len(every) >= 2  # the role's own pages, not just the home page
    pages = every[part :: PARTS.get(role, 1)]
    for url, status in pages:
        tab.set_viewport_size(DESKTOP)
        response = tab.goto(url)
        assert response.status == status, f"{role} {url}: {response.status}"
        visited.append(url)
        violations += [(url, "desktop", v) for v in axe_violations(tab, structure=True)]
        tab.set_viewport_size(NARROW)
        violations += [(url, "360px", v) for v in axe_violations(tab)]
        small += [f"{url}: {target}" for target in tab.evaluate(SMALL_TAP_TARGETS)]
        width = tab.evaluate("document.documentElement.scrollWidth")
        if width > NARROW["width"]:
            too_wide.append(f"{url}: {width}px")
    context.close()

    print(f"\naxe: {len(visited)} pages visited as {role}, {len(violations)} violations")
    assert len(visited) == len(pages)
    assert not violations, "\n".join(f"{role} {url} ({size})\n{describe([v])}" for url, size, v in violations)
    assert not too_wide, f"wider than {NARROW['width']}px as {role}: {too_wide}"
    assert not csp, f"CSP violations: {csp}"
    assert not small, f"tap targets under 44px on a phone as {role}:\n" + "\n".join(small)
