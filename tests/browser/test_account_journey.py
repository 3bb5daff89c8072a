import pytest

from accounts.models import User
from tests.browser.conftest import PHONE
from tests.browser.helpers import fill_signup, label, verify_and_sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "a-long-enough-passphrase"


def test_a_new_person_signs_up_verifies_signs_in_and_edits_the_profile(page, screenshot):
    page.goto("/")
    screenshot(page, "home")
    page.get_by_role("link", name="Create account").click()

    fill_signup(page, email="Journey.Person@example.org", first_name="Jo", last_name="Journey", password=PASSWORD)
    screenshot(page, "signup")
    page.get_by_role("button", name="Sign Up").click()
    verify_and_sign_in(page, email="journey.person@EXAMPLE.org", password=PASSWORD)
    page.get_by_role("heading", name="Welcome back, Jo").wait_for()

    page.goto("/accounts/profile/")
    page.get_by_label(label("Phone")).fill("+34 600 000 111")
    page.get_by_label(label("Day")).fill("30")
    page.get_by_label(label("Month")).fill("6")
    page.get_by_label(label("Year")).fill("1975")
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
