"""Issue 22's first steps, on a phone, in both languages: a person searches
their town, picks the nearest clinic, picks COVID-19 and sees its times (the
booking itself is another journey's). And "use my location", asked only
when the button is clicked."""

import re
import tempfile
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext

from places.demo import seed_places
from tests.browser.conftest import PHONE
from vaccination.demo import SITE_DETAILS, VACCINE_TEXTS
from vaccination.models import Site, Slot, Vaccine

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
# Screens to look at by hand, beside test-artifacts/ (the screenshot fixture).
SHOTS = Path(tempfile.gettempdir())


@pytest.fixture
def demo_clinics():
    """The demo's clinics, vaccines (with their texts) and made-up towns."""
    seed_places()
    vaccines = [
        Vaccine.objects.create(name=name, doses_required=doses, **VACCINE_TEXTS[name])
        for name, doses in (("Comirnaty (COVID-19)", 2), ("Influenza 2026/27", 1))
    ]
    for name, address, mobile in [
        ("Central Health Centre", "12 Hospital Road\nRiverside", False),
        ("Northside Community Hall", "3 Market Square\nNorthside", False),
        ("Lakeside Mobile Clinic", "Car park of the Lakeside shopping centre\nLakeside", True),
    ]:
        lat, lon, step_free, parking, notes, notes_es = SITE_DETAILS[name]
        site = Site.objects.create(
            name=name,
            address=address,
            is_mobile=mobile,
            time_zone="Europe/Madrid",
            latitude=lat,
            longitude=lon,
            step_free_access=step_free,
            parking=parking,
            access_notes=notes,
            access_notes_es=notes_es,
        )
        for vaccine in vaccines:
            Slot.objects.generate(
                site=site,
                vaccine=vaccine,
                first_day=site.today() + timedelta(days=1),
                last_day=site.today() + timedelta(days=5),
                opens=time(9),
                closes=time(12),
                minutes=30,
                capacity=3,
            )


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


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_person_searches_their_town_picks_the_nearest_clinic_then_covid_and_sees_its_times(
    page, screenshot, live_server, demo_clinics, lang
):
    in_language(page, live_server, lang)
    with translation.override(lang):
        words = {key: gettext(key) for key in ["Town or postcode", "Search", "Choose this clinic", "Choose"]}
        nearest = gettext("Clinics nearest to %(place)s, in a straight line.") % {"place": "Hillcrest"}
    page.goto("/appointments/book/")
    fits_the_phone(page)
    page.screenshot(path=SHOTS / f"find-{lang}-phone-1-start.png", full_page=True)

    page.get_by_label(words["Town or postcode"]).fill("Hillcrest")
    page.get_by_role("button", name=words["Search"], exact=True).click()
    page.get_by_text(nearest).wait_for()
    first = page.locator(".clinic-card").first
    assert "Northside Community Hall" in first.inner_text()
    assert "km" in first.inner_text()
    fits_the_phone(page)
    page.screenshot(path=SHOTS / f"find-{lang}-phone-2-nearest.png", full_page=True)
    screenshot(page, f"find-clinic-{lang}-nearest-phone")

    first.get_by_role("link", name=re.compile(words["Choose this clinic"])).click()
    page.get_by_role("link", name=f"{words['Choose']} Comirnaty (COVID-19)").click()

    page.locator("#times-heading").wait_for()
    times = page.get_by_role("button", name=re.compile(r"09:00, Comirnaty \(COVID-19\)"))
    assert times.count() == 1
    assert page.get_by_role("button", name=re.compile("Influenza")).count() == 0
    assert "Hillcrest" in page.locator("#finder-q").input_value()
    fits_the_phone(page)
    page.screenshot(path=SHOTS / f"find-{lang}-phone-3-times.png", full_page=True)
    screenshot(page, f"find-clinic-{lang}-times-phone")
    assert page.console_errors == []


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
