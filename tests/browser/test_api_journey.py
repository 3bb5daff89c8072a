import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from fleet.models import TruckCondition
from tests.browser.helpers import label
from tests.browser.test_fleet_journey import sign_in
from tests.factories import UserFactory
from tests.fleet.factories import TruckFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_api_docs_page_shows_every_resource_under_the_csp(page, screenshot):
    page.goto("/api/docs/")

    page.get_by_text("VaxFleet API").first.wait_for()
    page.locator(".opblock-summary-path", has_text="/api/v1/slots/").first.wait_for()
    for resource in (
        "/api/v1/appointments/",
        "/api/v1/checkins/",
        "/api/v1/drivers/",
        "/api/v1/trucks/{id}/condition/",
    ):
        assert page.locator(".opblock-summary-path", has_text=resource).count() >= 1
    page.get_by_role("button", name=re.compile("Authorize")).first.wait_for()
    screenshot(page, "api-docs")
    # The page fixture fails the test on any Content-Security-Policy violation.


def test_a_person_creates_a_token_sees_it_once_and_calls_the_api_with_it(page, screenshot, browser, live_server):
    UserFactory(email="pia@example.org", first_name="Pia", last_name="Person")
    sign_in(page, "pia@example.org")
    page.goto("/accounts/profile/")
    # API tokens are shown to a person who asks for them.
    page.get_by_label("Show API tokens").check()
    page.get_by_role("button", name="Save profile").click()
    page.get_by_role("link", name="API tokens").first.click()
    page.get_by_label(label("Name")).fill("dispatch system")
    page.get_by_role("button", name="Create token").click()
    page.get_by_role("heading", name="Token created").wait_for()
    secret = page.get_by_label("Token").input_value()
    screenshot(page, "api-token-created")

    # A separate context: no session cookie, only the token.
    integration = browser.new_context(base_url=live_server.url)
    me = integration.request.get("/api/v1/me/", headers={"Authorization": f"Bearer {secret}"}).json()
    integration.close()
    page.goto("/accounts/tokens/")
    page.get_by_role("cell", name="dispatch system").wait_for()
    screenshot(page, "api-token-list")

    assert secret.startswith("vxf_")
    assert me["email"] == "pia@example.org"
    assert secret not in page.content()


def test_the_truck_page_shows_the_latest_condition_and_its_history(page, screenshot):
    UserFactory(email="fiona@example.org", first_name="Fiona", last_name="Fleet", roles=[Role.FLEET_MANAGER])
    truck = TruckFactory(code="TRK-0042", plate="4242 KLM")
    now = timezone.now()
    TruckCondition.objects.create(
        truck=truck,
        status="ok",
        odometer_km=48020,
        readings={"fridge_temp_c": 4.1},
        recorded_at=now - timedelta(days=1),
    )
    TruckCondition.objects.create(
        truck=truck,
        status="warning",
        odometer_km=48210,
        readings={"fridge_temp_c": 7.9, "battery_v": 12.4},
        recorded_at=now,
    )
    sign_in(page, "fiona@example.org")

    page.goto(f"/fleet/trucks/{truck.pk}/")
    section = page.get_by_role("region", name="Technical condition")
    section.wait_for()
    screenshot(page, "truck-condition")

    assert "Warning" in section.inner_text()
    assert "48210 km" in section.inner_text()
    assert section.get_by_role("row").count() == 3  # header and two reports
