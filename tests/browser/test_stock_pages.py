"""The stock pages with the demo's stock and excursion, on a phone and a
desktop, in English and Spanish: axe finds no WCAG 2.2 AA violation, the
page fits a 360 px phone, its tap targets are 44 px, and the chart shows the
excursion."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from accounts.models import User
from fleet.models import Excursion
from tests.browser.conftest import NARROW, SMALL_TAP_TARGETS, axe_violations, describe
from tests.browser.test_every_page import DESKTOP, signed_in_context

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_stock_chart_and_affected_doses_pages_pass_axe_on_a_phone(browser, live_server, settings, lang):
    settings.STAFF_MFA_REQUIRED = False
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    User.objects.update(language=lang)
    excursion = Excursion.objects.get()
    pages = [
        ("staff@example.com", "/clinic/stock/", "Lots on hand" if lang == "en" else "Lotes disponibles"),
        ("staff@example.com", f"/clinic/stock/trucks/{excursion.truck_id}/", "EX5120"),
        ("fleet@example.com", f"/fleet/trucks/{excursion.truck_id}/", "40"),
        ("lead@example.com", f"/clinic/stock/excursions/{excursion.pk}/", "Chen Wei"),
        ("lead@example.com", "/clinic/stock/excursions/", "TRK-0001"),
        ("staff@example.com", "/clinic/stock/lots/new/", "FK"),
    ]
    problems = []
    for email, url, expected in pages:
        context = signed_in_context(browser, live_server, User.objects.get(email=email))
        context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
        tab = context.new_page()
        response = tab.goto(url)
        assert response.status == 200, url
        text = tab.inner_text("main")
        if expected != "FK":
            assert expected in text, (url, expected)
        problems += [(url, "desktop", describe([v])) for v in axe_violations(tab, structure=True)]
        tab.set_viewport_size(NARROW)
        problems += [(url, "360px", describe([v])) for v in axe_violations(tab)]
        problems += [(url, "tap", target) for target in tab.evaluate(SMALL_TAP_TARGETS)]
        width = tab.evaluate("document.documentElement.scrollWidth")
        if width > NARROW["width"]:
            problems.append((url, "width", width))
        if "/fleet/trucks/" in url:
            assert tab.locator("svg[role=img] rect[fill='#f8d7da']").count() == 1  # the excursion, shaded
        tab.set_viewport_size(DESKTOP)
        context.close()

    assert not problems, "\n".join(map(str, problems))
