import json

import pytest

from accounts.models import User
from accounts.roles import Role
from tests.browser.helpers import LANDED, label
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label(label("Email")).fill(email)
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(LANDED)


def test_a_person_downloads_their_data_then_deletes_their_account(page, screenshot):
    UserFactory(email="leaving@example.org", first_name="Lee", last_name="Leaving")
    sign_in(page, "leaving@example.org")

    page.goto("/accounts/profile/")
    screenshot(page, "profile-your-data")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data (JSON)").click()
    data = json.loads(download.value.path().read_text())
    assert data["profile"]["first_name"] == "Lee"

    page.get_by_role("link", name="Delete my account").click()
    page.get_by_label(label("Your password")).fill(PASSWORD)
    screenshot(page, "account-delete")
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_role("heading", name="Your account is deleted").wait_for()
    screenshot(page, "account-deleted")

    assert not User.objects.get(last_name="").is_active
    assert page.get_by_role("link", name="Sign in").is_visible()


def test_a_nurse_is_told_to_ask_an_administrator(page, screenshot):
    UserFactory(email="nurse@example.org", first_name="Nora", roles=[Role.CLINIC_STAFF])
    sign_in(page, "nurse@example.org")

    page.goto("/accounts/delete/")
    page.get_by_text("Ask an administrator to remove your roles").wait_for()
    screenshot(page, "account-delete-staff")
    assert page.get_by_role("button", name="Delete my account").count() == 0
