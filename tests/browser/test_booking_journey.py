import re
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.core import mail

from accounts.models import User
from tests.browser.conftest import PHONE
from tests.browser.helpers import book_on_the_check_page, fill_signup, label, verify_and_sign_in
from tests.factories import PASSWORD, UserFactory
from vaccination.models import Appointment, Site, Slot, Vaccine

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NEW_PASSWORD = "a-long-enough-passphrase"


@pytest.fixture
def clinics():
    vaccine = Vaccine.objects.create(name="Comirnaty (COVID-19)", doses_required=2, min_days_between_doses=21)
    flu = Vaccine.objects.create(name="Influenza 2026/27")
    central = Site.objects.create(
        name="Central Health Centre", address="12 Hospital Road\nRiverside", time_zone="Europe/Madrid"
    )
    mobile = Site.objects.create(
        name="Mobile Clinic TRK-0042", address="Lakeside shopping centre car park", is_mobile=True
    )
    for site in (central, mobile):
        for v in (vaccine, flu):
            Slot.objects.generate(
                site=site,
                vaccine=v,
                first_day=site.today(),
                last_day=site.today() + timedelta(days=13),
                opens=time(9),
                closes=time(12),
                minutes=30,
                capacity=3,
            )
    return central


def sign_up_and_in(page):
    page.get_by_role("link", name="Sign up").first.click()
    fill_signup(page, email="new.person@example.org", first_name="Nia", last_name="New", password=NEW_PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    verify_and_sign_in(page, email="new.person@example.org", password=NEW_PASSWORD)


def test_a_new_person_signs_up_books_sees_the_qr_code_downloads_the_calendar_and_cancels(page, screenshot, clinics):
    page.goto("/")
    page.get_by_role("link", name="Book a vaccination").first.click()
    page.get_by_role("heading", name="Book a vaccination").wait_for()
    screenshot(page, "booking-clinics")

    page.get_by_role("link", name=re.compile("Central Health Centre")).click()
    tomorrow = clinics.today() + timedelta(days=1)
    page.locator(f"a.day[href*='day={tomorrow.isoformat()}']").click()
    screenshot(page, "booking-times")

    # The visitor checks the time chosen; booking needs an account: the time
    # is held while the visitor confirms an email (test_person_journey);
    # this one signs up with a password instead, then picks a time again.
    page.get_by_role("button", name=re.compile("Book 09:00, Comirnaty")).click()
    page.get_by_role("heading", name="Check your booking").wait_for()
    page.get_by_role("button", name="Book", exact=True).click()
    page.get_by_role("heading", name="Confirm your email to book").wait_for()
    page.get_by_role("link", name="Sign in with it").click()
    sign_up_and_in(page)
    page.goto(f"/appointments/book/?site={clinics.pk}&day={tomorrow.isoformat()}")
    page.get_by_role("button", name=re.compile("Book 09:00, Comirnaty")).click()

    book_on_the_check_page(page)
    appointment = Appointment.objects.get(person__email="new.person@example.org")
    assert page.locator("svg.qr-code").is_visible()
    assert page.locator(".confirmation-code").inner_text() == appointment.code
    page.get_by_text("09:00\N{EN DASH}09:30").wait_for()
    screenshot(page, "booking-confirmation")
    assert any(appointment.code in m.body for m in mail.outbox)

    with page.expect_download() as download:
        page.get_by_role("link", name="Add to my calendar").click()
    ics = Path(download.value.path()).read_text(encoding="utf-8")
    assert f"UID:appointment-{appointment.pk}@vaxfleet" in ics
    assert "DTSTART;TZID=Europe/Madrid:" in ics

    page.set_viewport_size(PHONE)
    page.reload()
    screenshot(page, "booking-confirmation-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("link", name="Move or cancel").click()
    page.get_by_text("Cancel this appointment").click()
    page.get_by_role("button", name="Yes, cancel my appointment").click()
    page.get_by_text("Your appointment is cancelled.").wait_for()
    screenshot(page, "my-appointments-phone")
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert User.objects.filter(email="new.person@example.org").exists()
    assert page.console_errors == []


def test_the_booking_pages_fit_a_phone(page, screenshot, clinics):
    person = UserFactory(email="phone@example.org", first_name="Phil")
    page.set_viewport_size(PHONE)
    page.goto("/accounts/login/")
    page.get_by_label(label("Email")).fill(person.email)
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    page.goto(f"/appointments/book/?site={clinics.pk}")
    screenshot(page, "booking-times-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("button", name=re.compile("^Book ")).first.click()
    book_on_the_check_page(page)
    page.goto("/appointments/")
    screenshot(page, "my-appointments-upcoming-phone")
    page.get_by_role("link", name="Move").click()
    screenshot(page, "reschedule-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.console_errors == []
