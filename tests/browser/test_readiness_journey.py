"""On a phone: the driver fills the pre-trip inspection with one critical
failure; the fleet manager sees the mobile clinic's day at risk with its
booked count and gives the clinic a ready truck. In English and Spanish."""

import re

import pytest

from accounts.roles import Role
from fleet.models import TruckStatus
from tests.browser.conftest import PHONE
from tests.browser.helpers import LANDED
from tests.factories import PASSWORD, UserFactory
from tests.fleet.factories import AssignmentFactory, DriverFactory, TruckFactory
from tests.readiness.factories import ChecklistItemFactory, mobile_clinic_day
from vaccination.models import Site

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def sign_in(page, email):
    """Sign in whatever the page's language: by the fields' names."""
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(LANDED)


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.fixture
def world():
    manager = UserFactory(email="fiona@example.org", first_name="Fiona", last_name="Fleet", roles=[Role.FLEET_MANAGER])
    account = UserFactory(email="diego@example.org", first_name="Diego", last_name="Driver", roles=[Role.DRIVER])
    diego = DriverFactory(user=account, first_name="Diego", last_name="Driver")
    truck = TruckFactory(code="TRK-0042")
    AssignmentFactory(driver=diego, truck=truck)
    spare = AssignmentFactory(truck=TruckFactory(code="TRK-0077", make="Mercedes-Benz", model="Sprinter")).truck
    ChecklistItemFactory(name="Tyres and wheels", name_es="Neumáticos y ruedas", critical=True)
    ChecklistItemFactory(
        name="Vaccine fridge holds 2 to 8 °C", name_es="Nevera de vacunas entre 2 y 8 °C", critical=True
    )
    ChecklistItemFactory(name="First-aid kit complete", name_es="Botiquín completo")
    site, day = mobile_clinic_day(truck, days_ahead=1, booked=6, name="Lakeside Mobile Clinic")
    return {"manager": manager, "truck": truck, "spare": spare, "site": site, "day": day}


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_critical_failure_on_the_phone_puts_a_clinic_day_at_risk_and_a_ready_truck_saves_it(
    page, screenshot, world, language
):
    spanish = language == "es"
    page.set_viewport_size(PHONE)
    page.context.set_extra_http_headers({"Accept-Language": language})
    sign_in(page, "diego@example.org")

    page.goto("/fleet/me/")
    page.get_by_role("link", name="Inspeccionar mi furgoneta" if spanish else "Inspect my truck").click()
    page.get_by_role(
        "heading", name=re.compile("Inspección antes del viaje" if spanish else "Pre-trip inspection")
    ).wait_for()
    ok, problem = ("Correcto", "Problema") if spanish else ("OK", "Problem")
    items = page.locator("fieldset.inspection-item")
    assert items.count() == 3
    items.nth(0).get_by_text(ok, exact=True).click()
    items.nth(1).get_by_text(problem, exact=True).click()
    items.nth(1).get_by_role("textbox").fill("Fridge shows 11 °C" if not spanish else "La nevera marca 11 °C")
    items.nth(2).get_by_text(ok, exact=True).click()
    page.get_by_label(re.compile("Cuentakilómetros" if spanish else "Odometer")).fill("48210")
    assert fits(page)
    screenshot(page, f"readiness-inspection-phone-{language}")
    page.get_by_role("button", name="Enviar la inspección" if spanish else "Send the inspection").click()
    page.get_by_role("heading", name="Mi furgoneta" if spanish else "My truck").wait_for()
    world["truck"].refresh_from_db()
    assert world["truck"].status == TruckStatus.MAINTENANCE

    sign_in(page, "fiona@example.org")
    page.goto("/fleet/readiness/")
    day = page.locator(".at-risk-day")
    day.wait_for()
    assert "Lakeside Mobile Clinic" in day.inner_text()
    booked = day.locator(".at-risk-booked").inner_text()
    assert booked == ("6 personas citadas" if spanish else "6 people booked")
    assert ("Furgoneta fuera de servicio" if spanish else "Truck not in service") in day.inner_text()
    assert fits(page)
    screenshot(page, f"readiness-at-risk-phone-{language}")

    day.get_by_label(
        re.compile("Dar a la unidad una furgoneta" if spanish else "Give the clinic a ready truck")
    ).select_option(str(world["spare"].pk))
    day.get_by_role("button", name=re.compile("Pasar la unidad" if spanish else "Move the clinic")).click()
    page.get_by_text(
        re.compile("Todos los días de unidad móvil" if spanish else "Every mobile clinic day is covered")
    ).wait_for()
    assert Site.objects.get(pk=world["site"].pk).truck == world["spare"]
    screenshot(page, f"readiness-fixed-phone-{language}")
    assert page.console_errors == []
