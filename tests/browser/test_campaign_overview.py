"""The campaign overview in the browser, on the hand-counted data set of
tests/campaign: axe finds nothing at desktop width and at 360 px, in English
and Spanish, nothing is wider than the phone, no CSP report, and the export
form downloads the filtered CSV."""

import pytest
from django.test import Client

from tests.browser.conftest import NARROW, SMALL_TAP_TARGETS, axe_violations, describe
from tests.campaign.conftest import RANGE, campaign, frozen  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SHOTS = "test-artifacts/screenshots"


def _lead_context(browser, live_server, campaign_lead, lang):
    client = Client()
    client.force_login(campaign_lead)
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, accept_downloads=True)
    context.add_cookies(
        [
            {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url},
            {"name": "django_language", "value": lang, "url": live_server.url},
        ]
    )
    return context


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_overview_passes_axe_fits_a_phone_and_keeps_the_csp(browser, live_server, request, campaign_lead, lang):
    request.getfixturevalue("campaign")  # the hand-counted data set of tests/campaign
    query = f"?start={RANGE['start']}&end={RANGE['end']}"
    context = _lead_context(browser, live_server, campaign_lead, lang)
    page = context.new_page()
    csp = []
    page.on("console", lambda message: "Content Security Policy" in message.text and csp.append(message.text))

    page.goto("/campaign/" + query)
    violations = axe_violations(page, structure=True)
    page.screenshot(path=f"{SHOTS}/campaign-{lang}-desktop.png", full_page=True)
    page.set_viewport_size(NARROW)
    violations += axe_violations(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    small = page.evaluate(SMALL_TAP_TARGETS)
    page.set_viewport_size(PHONE)
    page.screenshot(path=f"{SHOTS}/campaign-{lang}-phone.png", full_page=True)

    assert not violations, describe(violations)
    assert width <= NARROW["width"]
    assert not small, small
    assert not csp, csp
    assert page.locator("svg.chart").count() == 4
    context.close()


def test_the_export_form_downloads_the_filtered_csv(browser, live_server, request, campaign_lead):
    data = request.getfixturevalue("campaign")  # the hand-counted data set of tests/campaign
    context = _lead_context(browser, live_server, campaign_lead, "en")
    page = context.new_page()
    page.goto(f"/campaign/?start={RANGE['start']}&end={RANGE['end']}&site={data.lisbon.pk}")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()

    path = download.value.path()
    with open(path, encoding="utf-8") as file:
        lines = file.read().splitlines()
    assert lines[0].startswith("date,clinic,vaccine")
    assert [line.split(",")[:2] for line in lines[1:]] == [["2026-12-03", "Lisboa Baixa"]]
    context.close()
