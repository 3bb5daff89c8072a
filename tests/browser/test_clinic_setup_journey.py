"""A campaign lead sets up a clinic on a phone, in English and Spanish: adds
it, gives it a morning and an afternoon on Monday, links a nurse, previews
the slots and creates them. Every screen passes axe, fits a 360 px phone,
keeps its tap targets and the CSP."""

from datetime import date, timedelta

import pytest
from django.test import Client

from tests.browser.conftest import NARROW, PHONE, SMALL_TAP_TARGETS, axe_violations, describe
from vaccination.models import Site, Slot, Vaccine

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
SHOTS = "test-artifacts/screenshots"
WORDS = {
    "en": {"saved": "was added", "will": "slots will be created"},
    "es": {"saved": "Se ha añadido", "will": "Se crearán"},
}


def _lead_tab(browser, live_server, lead, lang):
    lead.language = lang  # a signed-in user's pages follow their account's language
    lead.save(update_fields=["language"])
    client = Client()
    client.force_login(lead)
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context, context.new_page()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_lead_sets_up_a_clinic_from_a_phone(browser, live_server, campaign_lead, clinic_staff, lang):
    vaccine = Vaccine.objects.create(name="Flu")
    context, tab = _lead_tab(browser, live_server, campaign_lead, lang)
    csp, problems = [], []
    tab.on("console", lambda message: "Content Security Policy" in message.text and csp.append(message.text))

    def check(screen):
        problems.extend((screen, v) for v in axe_violations(tab, structure=True))
        tab.screenshot(path=f"{SHOTS}/clinic-setup-{screen}-{lang}-phone.png", full_page=True)
        tab.set_viewport_size(NARROW)
        problems.extend((screen, v) for v in axe_violations(tab))
        assert tab.evaluate("document.documentElement.scrollWidth") <= NARROW["width"], screen
        assert not tab.evaluate(SMALL_TAP_TARGETS), screen
        tab.set_viewport_size(PHONE)

    tab.goto("/campaign/clinics/new/")
    check("new")
    tab.fill("#id_name", f"Dock Clinic {lang}")
    tab.fill("#id_address", "Pier 4")
    tab.select_option("#id_time_zone", "Europe/Madrid")
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_url("**/hours/")
    assert WORDS[lang]["saved"] in tab.content()
    check("hours")

    tab.select_option("#id_hours-0-weekday", "0")
    tab.fill("#id_hours-0-opens", "09:00")
    tab.fill("#id_hours-0-closes", "13:00")
    tab.select_option("#id_hours-1-weekday", "0")
    tab.fill("#id_hours-1-opens", "12:00")  # overlaps the morning
    tab.fill("#id_hours-1-closes", "14:00")
    tab.locator("main form button[type=submit]").click()
    tab.locator(".alert-danger").wait_for()
    check("hours-refused")
    tab.fill("#id_hours-1-opens", "15:00")
    tab.fill("#id_hours-1-closes", "17:00")
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_url("**/staff/")
    check("staff")

    tab.get_by_label(clinic_staff.email, exact=False).check()
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_url("**/slots/")
    check("slots")

    monday = date.today() + timedelta(days=7 - date.today().weekday())
    tab.select_option("#id_vaccine", str(vaccine.pk))
    tab.fill("#id_first_day", monday.isoformat())
    tab.fill("#id_last_day", (monday + timedelta(days=13)).isoformat())
    tab.locator("main form button[type=submit]").last.click()
    tab.locator(".slot-preview").wait_for()
    assert WORDS[lang]["will"] in tab.locator(".slot-preview").inner_text()
    # Two Mondays of 15-minute slots: 16 in the morning and 8 in the afternoon of each.
    assert "48" in tab.locator(".slot-preview-count").inner_text()
    check("preview")
    site = Site.objects.get(name=f"Dock Clinic {lang}")
    assert not Slot.objects.filter(site=site).exists()

    tab.locator(".slot-preview button[name=confirm]").click()
    tab.wait_for_url(f"**/campaign/clinics/{site.pk}/")
    check("detail")
    tab.goto("/campaign/clinics/")
    check("list")

    assert Slot.objects.filter(site=site, vaccine=vaccine).count() == 48
    assert list(site.staff.all()) == [clinic_staff]
    assert not problems, "\n".join(f"{screen}\n{describe([v])}" for screen, v in problems)
    assert not csp, csp
    context.close()
