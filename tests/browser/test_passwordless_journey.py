"""Booking on a phone with an email address and a code, no password: the
time is held while the visitor confirms their email."""

import re
from datetime import time, timedelta

import pytest
from django.core import mail

from accounts.models import User
from tests.browser.conftest import PHONE
from tests.browser.helpers import label
from vaccination.models import Appointment, SeatHold, Site, Slot, Vaccine

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CODE_LINE = r"^([A-Z0-9]{4}-[A-Z0-9]{4})$"


@pytest.fixture
def clinic():
    vaccine = Vaccine.objects.create(name="Influenza 2026/27")
    site = Site.objects.create(
        name="Central Health Centre", address="12 Hospital Road\nRiverside", time_zone="Europe/Madrid"
    )
    Slot.objects.generate(
        site=site,
        vaccine=vaccine,
        first_day=site.today(),
        last_day=site.today() + timedelta(days=6),
        opens=time(9),
        closes=time(11),
        minutes=30,
        capacity=2,
    )
    return site


def test_a_visitor_books_on_a_phone_with_an_emailed_code_and_no_password(page, screenshot, clinic):
    page.set_viewport_size(PHONE)
    page.set_default_timeout(30_000)  # a loaded shared machine: a first page may take a while
    tomorrow = clinic.today() + timedelta(days=1)
    page.goto(f"/appointments/book/?site={clinic.pk}&day={tomorrow.isoformat()}")
    page.get_by_role("button", name=re.compile("Book 10:30, Influenza")).click()
    page.get_by_role("heading", name="Check your booking").wait_for()
    page.get_by_role("button", name="Book", exact=True).click()

    page.get_by_role("heading", name="Confirm your email to book").wait_for()
    page.get_by_text("We are holding 10:30 at Central Health Centre for you").wait_for()
    assert SeatHold.objects.count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "passwordless-hold-phone")

    page.get_by_role("textbox", name=label("Email")).fill("Rosa.Ramos@example.org")
    page.get_by_label(label("First name")).fill("Rosa")
    page.get_by_label(label("Last name")).fill("Ramos")
    assert page.get_by_label(re.compile("Password")).count() == 0
    page.get_by_role("button", name="Email me a code").click()

    page.get_by_role("heading", name="Enter Sign-In Code").wait_for()
    screenshot(page, "passwordless-code-phone")
    assert mail.outbox[-1].to == ["rosa.ramos@example.org"]
    code = re.search(CODE_LINE, mail.outbox[-1].body, re.MULTILINE).group(1)
    page.get_by_label(label("Code")).fill(code)
    page.get_by_role("button", name="Confirm").click()

    page.get_by_text("You are booked.").wait_for()
    rosa = User.objects.get(email="rosa.ramos@example.org")
    appointment = Appointment.objects.get(person=rosa)
    assert page.locator(".confirmation-code").inner_text() == appointment.code
    assert not rosa.has_usable_password()
    assert not SeatHold.objects.exists()
    appointment.slot.refresh_from_db()
    assert appointment.slot.booked_count == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "passwordless-booked-phone")

    # Later, from the profile, a password if she wants one.
    page.goto("/accounts/profile/")
    page.get_by_role("link", name="Set a password").click()
    page.get_by_label(label("Password")).fill("a-long-enough-passphrase")
    page.get_by_label(label("Password (again)")).fill("a-long-enough-passphrase")
    page.get_by_role("button", name="Set Password").click()
    page.get_by_text("Password successfully set.").wait_for()
    rosa.refresh_from_db()
    assert rosa.check_password("a-long-enough-passphrase")
    assert page.console_errors == []
