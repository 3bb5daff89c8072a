import re

import pytest

from tests.accounts.test_staff_mfa import current_code
from tests.browser.helpers import label
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_nurse_without_two_factor_sets_it_up_before_anything_else(page, screenshot, clinic_staff, settings):
    settings.STAFF_MFA_REQUIRED = True
    page.goto("/accounts/login/")
    page.get_by_label(label("Email")).fill(clinic_staff.email)
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    page.get_by_text("needs two-factor authentication").wait_for()
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    page.get_by_role("heading", name="Activate Authenticator App").wait_for()
    screenshot(page, "mfa-activate")
    secret = page.get_by_label(re.compile("Authenticator secret")).input_value()
    page.get_by_label(label("Authenticator code")).fill(current_code(secret))
    page.get_by_role("button", name="Activate").click()

    page.get_by_role("heading", name="Recovery Codes").wait_for()
    codes = page.get_by_label("Unused codes").input_value().split()
    assert len(codes) == 10
    screenshot(page, "mfa-recovery-codes")
    page.goto("/")
    page.get_by_role("heading", name="Welcome back, Nora").wait_for()
