"""Issue 4's journey in a real browser: a person books for today; a nurse
signs in, types the code, sees green; scans again and sees "already checked
in"; records the lot from the day board; the person sees the record."""

import re
import zoneinfo
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from fleet.models import Assignment, Driver, Truck
from tests.browser.conftest import PHONE, assert_accessible
from tests.browser.helpers import LANDED, book_on_the_check_page, label, wait_until
from tests.factories import PASSWORD, UserFactory
from vaccination.models import Appointment, Site, Slot, Vaccine

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# A clinic whose local time is daytime now, so "a slot in an hour" is today there.
ZONES = ["Europe/Madrid", "America/New_York", "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney"]


def daytime_zone():
    for name in ZONES:
        if 6 <= timezone.localtime(timezone=zoneinfo.ZoneInfo(name)).hour < 20:
            return name
    raise AssertionError("no daytime zone in the list")  # cannot happen: they span the globe


@pytest.fixture
def mobile_clinic():
    zone = daytime_zone()
    truck = Truck.objects.create(code="TRK-0042", plate="4242KLM", make="Iveco", model="Daily", year=2023)
    driver = Driver.objects.create(
        first_name="Diego",
        last_name="Driver",
        phone="+34 600 123 456",
        licence_number="LIC-42",
        licence_expiry=timezone.localdate() + timedelta(days=900),
    )
    Assignment.objects.create(driver=driver, truck=truck)
    site = Site.objects.create(
        name="Mobile Clinic Lakeside", address="Lakeside car park", is_mobile=True, truck=truck, time_zone=zone
    )
    vaccine = Vaccine.objects.create(name="Comirnaty (COVID-19)", doses_required=2, min_days_between_doses=21)
    start = (timezone.now() + timedelta(hours=1)).replace(second=0, microsecond=0)
    Slot.objects.create(site=site, vaccine=vaccine, start=start, end=start + timedelta(minutes=30), capacity=20)
    return site


def sign_in(page, email):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label(label("Email")).fill(email)
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(LANDED)


def test_a_nurse_checks_a_person_in_by_code_records_the_lot_and_the_person_sees_the_record(
    page, screenshot, mobile_clinic
):
    person = UserFactory(email="rosa@example.org", first_name="Rosa", last_name="Ramos")
    person.date_of_birth = "1948-05-02"
    person.save()
    nurse = UserFactory(email="nora@example.org", first_name="Nora", last_name="Nurse", roles=[Role.CLINIC_STAFF])
    mobile_clinic.staff.add(nurse)

    # The person books for today.
    sign_in(page, person.email)
    page.goto(f"/appointments/book/?site={mobile_clinic.pk}&day={mobile_clinic.today().isoformat()}")
    page.get_by_role("button", name=re.compile("^Book ")).first.click()
    book_on_the_check_page(page)
    appointment = Appointment.objects.get(person=person)

    # The nurse, on a phone, types the code as read aloud: lower case, with a space.
    page.set_viewport_size(PHONE)
    sign_in(page, nurse.email)
    page.goto("/clinic/checkin/")
    screenshot(page, "checkin-desk-phone")
    code_field = page.get_by_label(label("Code"))
    assert code_field.evaluate("element => element === document.activeElement")
    code_field.fill(f"{appointment.code[:4].lower()} {appointment.code[4:].lower()}")
    code_field.press("Enter")  # what a USB scanner does
    green = page.get_by_role("status").filter(has_text="Checked in")
    green.wait_for()
    assert "Rosa Ramos" in green.inner_text()
    assert "2 May 1948" in green.inner_text()
    assert "Comirnaty (COVID-19), dose 1" in green.inner_text()
    # On the phone the answer is on screen, not scrolled away by the field's focus
    # (checked before the full-page screenshot, whose resizing scrolls to the field).
    wait_until(
        page,
        "() => { const box = document.querySelector('.desk-result').getBoundingClientRect();"
        " return box.top >= 0 && box.bottom <= window.innerHeight; }",
    )
    screenshot(page, "checkin-green-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # A second scan of the same code: red, with when and by whom.
    code_field = page.get_by_label(label("Code"))
    assert code_field.evaluate("element => element === document.activeElement")
    code_field.fill(appointment.code)
    code_field.press("Enter")
    red = page.get_by_role("alert").filter(has_text="Already checked in")
    red.wait_for()
    assert re.search(r"At \d\d:\d\d by Nora Nurse\.", red.inner_text())
    screenshot(page, "checkin-red-already-phone")

    # An unknown code.
    page.get_by_label(label("Code")).fill("ZZZZ-ZZZZ")
    page.get_by_label(label("Code")).press("Enter")
    page.get_by_role("alert").filter(has_text="Unknown code").wait_for()
    screenshot(page, "checkin-red-unknown-phone")

    # The day board shows the mobile clinic's truck and driver; the nurse opens the person and records the lot.
    page.goto("/clinic/today/")
    page.get_by_text("TRK-0042").wait_for()
    page.get_by_text("Diego Driver").wait_for()
    screenshot(page, "clinic-board-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("link", name="Rosa Ramos").click()
    page.get_by_label(label("Vaccine lot / batch number")).fill("FK1234")
    page.get_by_role("button", name="Dose given").click()
    page.get_by_text("Dose recorded for Rosa Ramos, lot FK1234.").wait_for()
    screenshot(page, "clinic-appointment-dose-phone")
    appointment.refresh_from_db()
    assert appointment.vaccine_lot == "FK1234"
    assert appointment.dose_given_by == nurse

    # The person sees "Checked in at" and the record with the lot.
    sign_in(page, person.email)
    page.goto(f"/appointments/{appointment.pk}/")
    page.get_by_text(re.compile(r"Checked in at \d\d:\d\d")).wait_for()
    page.get_by_role("link", name="My vaccination record").first.click()
    page.get_by_role("heading", name="My vaccination record").wait_for()
    page.get_by_role("cell", name="FK1234").wait_for()
    screenshot(page, "vaccination-record-phone")
    page.emulate_media(media="print")
    screenshot(page, "vaccination-record-print")
    assert not page.locator("nav.navbar").is_visible()
    assert page.console_errors == []


def test_the_day_board_refreshes_itself_without_reloading(page, screenshot, mobile_clinic):
    nurse = UserFactory(email="nora@example.org", first_name="Nora", last_name="Nurse", roles=[Role.CLINIC_STAFF])
    mobile_clinic.staff.add(nurse)
    sign_in(page, nurse.email)
    page.goto("/clinic/today/")
    page.get_by_text("No appointments today at this clinic.").wait_for()
    page.evaluate("window.__sameDocument = true")

    person = UserFactory(first_name="Late", last_name="Booker")
    Appointment.objects.create(person=person, slot=mobile_clinic.slots.get())

    page.get_by_role("link", name="Late Booker").wait_for(timeout=15_000)
    assert page.evaluate("window.__sameDocument") is True
    assert_accessible(page)  # the rows the script brought in
    screenshot(page, "clinic-board-desktop")
    assert page.console_errors == []


def test_the_truck_page_and_the_driver_portal_show_where_and_when_the_mobile_clinic_runs(
    page, screenshot, mobile_clinic
):
    nurse = UserFactory(email="nora@example.org", first_name="Nora", last_name="Nurse", roles=[Role.CLINIC_STAFF])
    driver_user = UserFactory(email="diego@example.org", first_name="Diego", last_name="Driver", roles=[Role.DRIVER])
    driver = mobile_clinic.truck.current_assignment.driver
    driver.user = driver_user
    driver.save()
    page.set_viewport_size(PHONE)

    sign_in(page, nurse.email)
    page.goto(f"/fleet/trucks/{mobile_clinic.truck.pk}/")
    page.get_by_role("heading", name="Clinic days").wait_for()
    page.get_by_role("heading", name="Mobile Clinic Lakeside").wait_for()
    screenshot(page, "truck-clinic-days-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    sign_in(page, driver_user.email)
    page.goto("/fleet/me/")
    page.get_by_role("heading", name="Where and when you drive").wait_for()
    page.get_by_text("Lakeside car park", exact=True).wait_for()
    screenshot(page, "driver-portal-clinic-days-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.console_errors == []
