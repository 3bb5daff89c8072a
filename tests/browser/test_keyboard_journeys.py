"""Booking and check-in with the keyboard alone (Tab, Shift+Tab, Enter,
Space and typing), as a person who cannot use a mouse does: the focus is
always visible, never trapped, and the answers are announced."""

import re
from datetime import timedelta

import pytest

from accounts.roles import Role
from tests.browser.conftest import NARROW, SMALL_TAP_TARGETS, assert_accessible
from tests.browser.helpers import fill_signup, focused, label, tab_to, wait_until
from tests.browser.test_booking_journey import clinics  # noqa: F401 - its fixture
from tests.browser.test_checkin_journey import mobile_clinic, sign_in  # noqa: F401 - its fixture
from tests.factories import PASSWORD, UserFactory
from vaccination.models import Appointment

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


# Autofocus is applied when the browser next renders, which may be just after "load".
CODE_FIELD_FOCUSED = "document.activeElement && document.activeElement.id === 'id_code'"


def press_and_load(page, key):
    """Press a key that follows a link or sends a form, and wait for the new page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def test_a_keyboard_user_skips_to_the_content_signs_in_and_books(page, request):
    clinic = request.getfixturevalue("clinics")
    person = UserFactory(email="keys@example.org", first_name="Kim", last_name="Keys")
    page.goto("/")

    # The first Tab shows the skip link; Enter moves the focus into the main content.
    skip = tab_to(page, "^Skip to main content$", presses=1)
    assert skip["visible"]
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"
    tab_to(page, "^Book a vaccination$")
    press_and_load(page, "Enter")
    page.get_by_role("heading", name="Book a vaccination", level=1).wait_for()

    tab_to(page, "Central Health Centre")
    press_and_load(page, "Enter")
    tomorrow = clinic.today() + timedelta(days=1)
    tab_to(page, "(?i)" + re.escape(tomorrow.strftime("%a")) + r"\s+" + str(tomorrow.day) + " ")
    press_and_load(page, "Enter")
    assert f"day={tomorrow.isoformat()}" in page.url

    # The time is checked first; booking asks to sign in; Enter sends the form.
    tab_to(page, "^Book 09:00, Comirnaty")
    press_and_load(page, "Space")
    page.get_by_role("heading", name="Check your booking").wait_for()
    tab_to(page, "^Change")  # into the summary, past the menu's own "Book" link
    tab_to(page, "^Book$")
    press_and_load(page, "Space")
    # The time is held while a visitor confirms an email; this one has a password.
    page.get_by_role("heading", name="Confirm your email to book").wait_for()
    tab_to(page, "^Sign in with it")
    press_and_load(page, "Enter")
    page.get_by_role("heading", name="Sign In").wait_for()
    tab_to(page, "^Email")
    page.keyboard.type(person.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    press_and_load(page, "Enter")
    # Signed in from the held time: it is booked at once (vaccination.views_holds).
    page.get_by_role("heading", name="Booking complete").wait_for()
    assert Appointment.objects.filter(person=person, status=Appointment.Status.BOOKED).exists()

    # No trap: from the middle of the page the focus goes on to its end and round to the top.
    tab_to(page, "Add to my calendar")
    tab_to(page, "^Skip to main content$", presses=120)
    assert page.console_errors == []


def test_a_nurse_checks_in_and_records_the_dose_with_the_keyboard_and_hears_the_answer(page, request):
    site = request.getfixturevalue("mobile_clinic")
    nurse = UserFactory(email="nora@example.org", first_name="Nora", last_name="Nurse", roles=[Role.CLINIC_STAFF])
    site.staff.add(nurse)
    person = UserFactory(first_name="Rosa", last_name="Ramos")
    appointment = Appointment.objects.create(person=person, slot=site.slots.get())
    sign_in(page, nurse.email)
    page.goto("/clinic/checkin/")

    # The code field has the focus: type and press Enter, as a scanner does.
    wait_until(page, CODE_FIELD_FOCUSED)
    page.keyboard.type(appointment.code.lower())
    press_and_load(page, "Enter")
    green = page.get_by_role("status").filter(has_text="Checked in")
    green.wait_for()
    # Not colour alone: a tick and words; the answer is in the title and read with the field.
    assert green.locator(".desk-result-icon").inner_text() == "\N{CHECK MARK}"
    assert page.title().startswith("Checked in")
    assert focused(page)["id"] == "id_code"
    described = page.locator("#id_code").get_attribute("aria-describedby").split()
    assert "Rosa Ramos" in " ".join(page.locator(f"#{name}").inner_text() for name in described)
    assert_accessible(page)

    # Back up to the dose form, type the lot, Enter.
    tab_to(page, "^Dose given$", key="Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert focused(page)["tag"] == "input"
    page.keyboard.type("FK1234")
    press_and_load(page, "Enter")
    page.get_by_text("Dose recorded for Rosa Ramos, lot FK1234.").wait_for()

    # A second scan: red, with a cross and words, announced as an alert.
    page.goto("/clinic/checkin/")
    wait_until(page, CODE_FIELD_FOCUSED)
    page.keyboard.type(appointment.code)
    press_and_load(page, "Enter")
    red = page.get_by_role("alert").filter(has_text="Already checked in")
    red.wait_for()
    assert red.locator(".desk-result-icon").inner_text() == "\N{BALLOT X}"
    assert_accessible(page)
    tab_to(page, "^Check in$")
    assert page.console_errors == []


def test_form_errors_take_the_focus_and_are_tied_to_their_field(page):
    page.goto("/accounts/signup/")
    fill_signup(page, email="short@example.org", first_name="Sam", last_name="Short", password="short")
    page.keyboard.press("Enter")

    field = page.locator(":focus")
    field.wait_for()
    assert field.get_attribute("aria-invalid") == "true"
    errors = " ".join(page.locator(f"#{name}").inner_text() for name in field.get_attribute("aria-describedby").split())
    assert "too short" in errors

    page.goto("/accounts/login/")
    page.get_by_label(label("Email")).fill("nobody@example.org")
    page.get_by_label(label("Password")).fill("wrong-password-here")
    page.keyboard.press("Enter")
    message = page.get_by_role("alert").filter(has_text="not correct")
    message.wait_for()
    assert message.evaluate("element => element === document.activeElement")


@pytest.mark.parametrize("path", ["/appointments/book/", "/clinic/checkin/"])
def test_buttons_fields_and_menu_links_are_at_least_44_px_on_a_phone(page, request, path):
    site = request.getfixturevalue("mobile_clinic")
    nurse = UserFactory(email="nora@example.org", roles=[Role.CLINIC_STAFF])
    site.staff.add(nurse)
    sign_in(page, nurse.email)
    page.set_viewport_size(NARROW)
    page.goto(f"{path}?site={site.pk}")
    page.get_by_role("button", name="Show menu").click()
    page.locator("#main-nav.show").wait_for()
    assert page.evaluate(SMALL_TAP_TARGETS) == []
    assert page.get_by_role("link", name="Check-in desk").bounding_box()["height"] >= 44
