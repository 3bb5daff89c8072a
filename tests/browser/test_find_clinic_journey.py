"""Issue 22's "use my location", asked only when the button is clicked, and
the demo clinics the person's whole journey (test_person_journey) books at."""

import tempfile
from pathlib import Path

import pytest

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
# Screens to look at by hand, beside test-artifacts/ (the screenshot fixture).
SHOTS = Path(tempfile.gettempdir())


def patient(page):
    """Each step loads a new page with its styles and scripts: on a machine
    shared with other test runs that can pass the default 10 s."""
    page.set_default_timeout(30_000)


def in_language(page, live_server, lang):
    patient(page)
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page.set_viewport_size(PHONE)


def fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_use_my_location_asks_only_on_a_click_and_lists_the_nearest_first(page, live_server, demo_clinics):
    patient(page)
    asked = []
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 40.351234, "longitude": -3.821987})  # by Lakeside
    page.set_viewport_size(PHONE)
    page.add_init_script(
        "const ask = navigator.geolocation.getCurrentPosition.bind(navigator.geolocation);"
        "navigator.geolocation.getCurrentPosition = (...args) => { window.__asked = true; return ask(...args); };"
    )
    page.goto("/appointments/book/")
    asked.append(page.evaluate("window.__asked === true"))

    page.get_by_role("button", name="Use my location").click()

    page.get_by_text("Clinics nearest to your location").wait_for()
    assert asked == [False]
    assert "lat=40.35&lon=-3.82" in page.url  # rounded in the browser, before it is sent
    assert "Lakeside Mobile Clinic" in page.locator(".clinic-card").first.inner_text()
    page.screenshot(path=SHOTS / "find-en-phone-4-location.png", full_page=True)
    assert page.console_errors == []
