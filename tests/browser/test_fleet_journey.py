import re

import pytest

from accounts.roles import Role
from fleet.models import Assignment
from tests.browser.conftest import PHONE
from tests.browser.helpers import LANDED, label
from tests.factories import PASSWORD, UserFactory
from tests.fleet.factories import (
    AssignmentFactory,
    ClientFactory,
    ClientMembershipFactory,
    DriverFactory,
    TruckFactory,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def sign_in(page, email):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label(label("Email")).fill(email)
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(LANDED)


@pytest.fixture
def fleet():
    """A small register: Diego drives TRK-0042, TRK-0077 is free."""
    manager = UserFactory(email="fiona@example.org", first_name="Fiona", last_name="Fleet", roles=[Role.FLEET_MANAGER])
    account = UserFactory(email="diego@example.org", first_name="Diego", last_name="Driver", roles=[Role.DRIVER])
    northwind = ClientFactory(name="Northwind Logistics")
    diego = DriverFactory(
        user=account, first_name="Diego", last_name="Driver", licence_number="DL-004211", client=northwind
    )
    AssignmentFactory(driver=diego, truck=TruckFactory(code="TRK-0042", plate="4242 KLM"), assigned_by=manager)
    free = TruckFactory(code="TRK-0077", plate="7777 BCD", make="Mercedes-Benz", model="Sprinter")
    for number in range(8):
        AssignmentFactory(driver__client=northwind if number % 2 else None, truck__code=f"TRK-01{number:02d}")
    return {"manager": manager, "account": account, "diego": diego, "free": free, "client": northwind}


def test_the_fleet_manager_reassigns_a_truck_and_the_driver_sees_it(page, screenshot, fleet):
    sign_in(page, "fiona@example.org")
    page.get_by_role("link", name="Drivers").first.click()
    page.get_by_role("heading", name="Drivers").wait_for()
    page.get_by_label(label("Search")).fill("k-004")
    page.get_by_role("button", name="Search").click()
    row = page.get_by_role("row").filter(has_text="TRK-0042")
    row.wait_for()
    assert page.get_by_role("row").count() == 2  # the header and Diego
    screenshot(page, "fleet-driver-search")

    row.get_by_role("link", name="Driver, Diego").click()
    page.get_by_role("heading", name="Diego Driver").wait_for()
    page.get_by_label(label("Truck")).select_option(str(fleet["free"].pk))
    page.get_by_role("button", name="Assign truck").click()
    page.get_by_text("This driver already drives TRK-0042.").wait_for()
    screenshot(page, "fleet-assign-refused")

    assert page.get_by_label(label("Truck")).input_value() == str(fleet["free"].pk)  # still chosen
    page.get_by_label(re.compile("Take the truck")).check()
    page.get_by_role("button", name="Assign truck").click()
    page.get_by_text("TRK-0077 is now assigned to Diego Driver.").wait_for()
    history = page.get_by_role("table").filter(has_text="Assigned by")
    assert history.get_by_role("row").nth(1).inner_text().startswith("TRK-0077")
    assert "TRK-0042" in history.get_by_role("row").nth(2).inner_text()
    assert "released by Fiona Fleet" in history.inner_text()
    screenshot(page, "fleet-driver-detail")
    assert Assignment.objects.get(driver=fleet["diego"], until__isnull=True).truck == fleet["free"]

    sign_in(page, "diego@example.org")
    page.get_by_role("link", name="My truck").first.click()
    page.get_by_role("heading", name="My truck").wait_for()
    assert page.locator(".current-truck-code").inner_text() == "TRK-0077"
    screenshot(page, "fleet-driver-portal")
    assert page.console_errors == []


def assert_fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_fleet_pages_read_well_on_a_phone(page, screenshot, fleet):
    page.set_viewport_size(PHONE)
    sign_in(page, "fiona@example.org")

    page.goto("/fleet/drivers/")
    page.get_by_role("heading", name="Drivers").wait_for()
    assert_fits(page)
    screenshot(page, "fleet-driver-list-phone")

    page.goto(f"/fleet/drivers/{fleet['diego'].pk}/")
    page.get_by_role("heading", name="Diego Driver").wait_for()
    assert_fits(page)
    screenshot(page, "fleet-driver-detail-phone")

    page.goto("/fleet/trucks/")
    page.get_by_role("heading", name="Trucks").wait_for()
    assert_fits(page)
    screenshot(page, "fleet-truck-list-phone")

    page.goto(f"/fleet/drivers/{fleet['diego'].pk}/edit/")
    assert_fits(page)
    screenshot(page, "fleet-driver-form-phone")

    sign_in(page, "diego@example.org")
    page.goto("/fleet/me/")
    assert_fits(page)
    screenshot(page, "fleet-driver-portal-phone")

    client_user = UserFactory(email="clara@example.org", first_name="Clara", roles=[Role.CLIENT_USER])
    ClientMembershipFactory(user=client_user, client=fleet["client"])
    sign_in(page, "clara@example.org")
    page.goto("/fleet/client/")
    page.get_by_role("heading", name="Drivers of Northwind Logistics").wait_for()
    assert_fits(page)
    screenshot(page, "fleet-client-portal-phone")
    assert page.console_errors == []


def test_the_truck_list_and_client_portal_on_a_desktop(page, screenshot, fleet):
    sign_in(page, "fiona@example.org")
    page.goto("/fleet/trucks/")
    page.get_by_role("heading", name="Trucks").wait_for()
    screenshot(page, "fleet-truck-list")
    page.goto(f"/fleet/trucks/{fleet['free'].pk}/")
    screenshot(page, "fleet-truck-detail")
    page.goto("/")
    screenshot(page, "fleet-home-manager")
    assert page.console_errors == []


def test_on_a_phone_the_filters_fold_under_more_filters_unless_one_is_set(page, fleet):
    """The driver list starts with its risks and the search box on a phone;
    the other filters open with "More filters", and stay open while one is
    set. Without the script (JavaScript off) every filter is in view."""
    page.set_viewport_size(PHONE)
    sign_in(page, "fiona@example.org")
    page.goto("/fleet/drivers/")
    more = page.get_by_role("button", name="More filters")
    licence = page.get_by_label("Licence", exact=True)
    assert more.get_attribute("aria-expanded") == "false"
    assert licence.is_hidden()
    assert page.get_by_role("searchbox", name="Search").is_visible()

    more.click()
    assert more.get_attribute("aria-expanded") == "true"
    licence.select_option("expired")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"licence=expired"))
    assert page.get_by_role("button", name="More filters (1 set)").get_attribute("aria-expanded") == "true"
    assert licence.is_visible()

    plain = page.context.browser.new_context(base_url=page.url.split("/fleet/")[0], java_script_enabled=False)
    plain.add_cookies(page.context.cookies())
    without_script = plain.new_page()
    without_script.set_viewport_size(PHONE)
    without_script.goto("/fleet/drivers/")
    assert without_script.get_by_label("Licence", exact=True).is_visible()
    assert without_script.locator("[data-more-filters]").is_hidden()
    plain.close()
    assert page.console_errors == []
