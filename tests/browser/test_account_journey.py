import re

import pytest
from django.core import mail

from accounts.models import User
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "a-long-enough-passphrase"


def label(text):
    """A field's accessible name: its label, and the * of a required field."""
    return re.compile(rf"^\s*{re.escape(text)}\*?\s*$")


def test_a_new_person_signs_up_verifies_signs_in_and_edits_the_profile(page, screenshot):
    page.goto("/")
    screenshot(page, "home")
    page.get_by_role("link", name="Create account").click()

    page.get_by_label(label("Email")).fill("Journey.Person@example.org")
    page.get_by_label(label("First name")).fill("Jo")
    page.get_by_label(label("Last name")).fill("Journey")
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_label(label("Password (again)")).fill(PASSWORD)
    screenshot(page, "signup")
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_role("heading", name="Verify Your Email Address").wait_for()

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()

    page.get_by_label(label("Email")).fill("journey.person@EXAMPLE.org")
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("heading", name="Welcome back, Jo").wait_for()

    page.goto("/accounts/profile/")
    page.get_by_label(label("Phone")).fill("+34 600 000 111")
    page.get_by_label(label("Date of birth")).fill("1975-06-30")
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Your profile was saved.").wait_for()
    screenshot(page, "profile")

    user = User.objects.get(email="journey.person@example.org")
    assert user.phone == "+34 600 000 111"
    assert str(user.date_of_birth) == "1975-06-30"
    assert page.console_errors == []


def test_the_navigation_collapses_into_a_menu_on_a_phone(page, screenshot):
    page.set_viewport_size(PHONE)
    page.goto("/")
    sign_in = page.get_by_role("link", name="Sign in")
    assert not sign_in.is_visible()

    page.get_by_role("button", name="Show menu").click()
    sign_in.wait_for(state="visible")
    screenshot(page, "home-phone-menu")

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
