"""The pages issue 23 changed, at phone size: a driver whose licence expired
(no assign form, the reason said) and the picker after a missed booking."""

import datetime
import re

import pytest

from accounts.roles import Role
from tests.browser.conftest import PHONE
from tests.browser.helpers import label
from tests.factories import PASSWORD, UserFactory
from tests.fleet.factories import DriverFactory, TruckFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_fleet_manager_sees_why_an_expired_licence_gets_no_truck(page, screenshot):
    UserFactory(email="fiona@example.org", first_name="Fiona", roles=[Role.FLEET_MANAGER])
    expired = DriverFactory(
        first_name="Elena", last_name="Expired", licence_expiry=datetime.date.today() - datetime.timedelta(days=30)
    )
    TruckFactory(code="TRK-0077")
    page.set_viewport_size(PHONE)

    page.goto("/accounts/login/")
    page.get_by_label(label("Email")).fill("fiona@example.org")
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("heading", name=re.compile("Welcome back")).wait_for()
    page.goto(f"/fleet/drivers/{expired.pk}/")

    page.get_by_text("licence has expired cannot be given a truck").wait_for()
    assert page.get_by_role("button", name="Assign truck").count() == 0
    screenshot(page, "edges-driver-expired-licence-phone")
