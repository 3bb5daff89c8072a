"""A driver signs in on a phone, in English or Spanish, and lands on today's
trip: where, when to report, whom to call. Then a nurse marks a no-show
from the day board and undoes it."""

import re
import zoneinfo
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.roles import Role
from tests.browser.conftest import PHONE
from tests.factories import PASSWORD, UserFactory
from tests.fleet.factories import AssignmentFactory, DriverFactory, TruckFactory
from vaccination.models import Appointment, Site, Slot, Vaccine

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WORDS = {
    "en": {"trip": "Today's trip", "report": "Be there by", "call": "Who to call", "mark": "Mark no-show"},
    "es": {"trip": "Salida de hoy", "report": "Esté allí a las", "call": "A quién llamar", "mark": "Marcar ausente"},
}


def morning_zone():
    """A time zone where it is now between 6:00 and 14:00, so today's clinic is still ahead."""
    for name in (
        "Pacific/Kiritimati",
        "Asia/Tokyo",
        "Asia/Kolkata",
        "Europe/Madrid",
        "America/New_York",
        "Pacific/Honolulu",
    ):
        if 6 <= timezone.localtime(timezone=zoneinfo.ZoneInfo(name)).hour < 14:
            return name
    raise AssertionError("no zone in the morning")


@pytest.fixture
def trip():
    truck = TruckFactory(code="TRK-0042")
    account = UserFactory(email="diego@example.org", first_name="Diego", last_name="Driver", roles=[Role.DRIVER])
    AssignmentFactory(driver=DriverFactory(user=account, first_name="Diego", last_name="Driver"), truck=truck)
    site = Site.objects.create(
        name="Mobile Clinic Lakeside",
        address="Lakeside shopping centre car park",
        is_mobile=True,
        truck=truck,
        time_zone=morning_zone(),
    )
    nurse = UserFactory(
        email="nora@example.org", first_name="Nora", last_name="Nurse", phone="+34600111222", roles=[Role.CLINIC_STAFF]
    )
    site.staff.add(nurse)
    vaccine = Vaccine.objects.create(name="Influenza")
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=20)
    slot = Slot.objects.create(site=site, vaccine=vaccine, start=start, end=start + timedelta(hours=3), capacity=5)
    late = Appointment.objects.create(person=UserFactory(first_name="Lola", last_name="Late"), slot=slot)
    Slot.objects.filter(pk=slot.pk).update(booked_count=1)
    return {"site": site, "nurse": nurse, "late": late}


def sign_in(page, email, language):
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": page.url}])
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_driver_signs_in_on_a_phone_and_lands_on_todays_trip(page, screenshot, trip, language):
    words = WORDS[language]
    page.set_viewport_size(PHONE)
    page.goto("/")

    sign_in(page, "diego@example.org", language)

    page.wait_for_url(re.compile(r"/fleet/me/$"))
    heading = page.get_by_role("heading", name=words["trip"])
    heading.wait_for()
    trip_card = page.locator(".next-trip")
    assert words["report"] in trip_card.inner_text()
    assert "Mobile Clinic Lakeside" in trip_card.inner_text()
    assert trip_card.locator('a[href="tel:+34600111222"]').is_visible()  # shown spaced, dialled in E.164
    assert words["call"] in trip_card.inner_text()
    # Above the fold on a phone: the trip is the first thing the driver sees.
    assert trip_card.bounding_box()["y"] < PHONE["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, f"fleetux-driver-trip-{language}")
    assert page.console_errors == []


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_nurse_marks_a_late_person_a_no_show_from_the_board_and_undoes_it(page, screenshot, trip, language):
    words = WORDS[language]
    page.set_viewport_size(PHONE)
    page.goto("/")
    sign_in(page, "nora@example.org", language)
    page.wait_for_url(re.compile(r"/clinic/checkin/"))

    page.goto(f"/clinic/today/?site={trip['site'].pk}")
    row = page.locator(f"#appointment-{trip['late'].pk}")
    assert row.locator(".board-late").is_visible()
    screenshot(page, f"fleetux-board-late-{language}")
    row.get_by_role("button", name=re.compile(words["mark"])).click()

    page.locator(f"#appointment-{trip['late'].pk} .status-no_show").wait_for()
    screenshot(page, f"fleetux-board-no-show-{language}")
    page.locator(f"#appointment-{trip['late'].pk} button").click()
    page.locator(f"#appointment-{trip['late'].pk} .status-booked").wait_for()
    trip["late"].refresh_from_db()
    assert trip["late"].status == Appointment.Status.BOOKED
    assert page.console_errors == []
