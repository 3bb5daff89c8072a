"""A signed-in person on a phone books COVID, then flu: each time the check
page sums up the booking (with the screening questions) and the panel says
it is complete. In English and in Spanish; axe checks every page loaded
(the page fixture)."""

import re
from datetime import time, timedelta

import pytest
from django.utils import translation

from tests.browser.conftest import PHONE
from tests.factories import PASSWORD, UserFactory
from vaccination.models import Appointment, ScreeningQuestion, Site, Slot, Vaccine

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def clinic():
    covid = Vaccine.objects.create(name="Comirnaty (COVID-19)", doses_required=2, min_days_between_doses=21)
    flu = Vaccine.objects.create(name="Influenza 2026/27")
    ScreeningQuestion.objects.create(
        vaccine=covid,
        order=1,
        text="Have you had a severe allergic reaction?",
        text_es="¿Ha tenido una reacción alérgica grave?",
    )
    site = Site.objects.create(
        name="Central Health Centre", address="12 Hospital Road\nRiverside", time_zone="Europe/Madrid"
    )
    for vaccine in (covid, flu):
        Slot.objects.generate(
            site=site,
            vaccine=vaccine,
            first_day=site.today() + timedelta(days=1),
            last_day=site.today() + timedelta(days=3),
            opens=time(9),
            closes=time(11),
            minutes=30,
            capacity=3,
        )
    return site


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_person_on_a_phone_books_covid_then_flu_through_the_check_page_and_the_panel(
    page, screenshot, clinic, language
):
    def t(text):
        with translation.override(language):
            return translation.gettext(text)

    person = UserFactory(email="ana@example.org", first_name="Ana", last_name="Alba", language=language)
    page.set_default_timeout(60_000)  # a loaded machine: waiting longer changes nothing the test checks
    page.set_viewport_size(PHONE)
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(person.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(re.compile(r"/$"))
    tomorrow = (clinic.today() + timedelta(days=1)).isoformat()

    for vaccine, step in (("Comirnaty", "covid"), ("Influenza", "flu")):
        page.goto(f"/appointments/book/?site={clinic.pk}&day={tomorrow}")
        page.get_by_role("button", name=re.compile(rf"^{t('Book')} 09:00, {vaccine}")).click()
        page.get_by_role("heading", name=t("Check your booking")).wait_for()
        assert "Central Health Centre" in page.content()
        if step == "covid":  # its screening question is asked here, before booking
            page.get_by_role("button", name=t("Book"), exact=True).click()
            page.get_by_text(t("Answer yes or no.")).first.wait_for()
            page.get_by_label(t("No")).check()
        screenshot(page, f"confirm-{language}-{step}-check-phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.get_by_role("button", name=t("Book"), exact=True).click()
        page.get_by_role("heading", name=t("Booking complete")).wait_for()
        code = Appointment.objects.get(person=person, vaccine__name__startswith=vaccine).code
        assert page.locator(".confirmation-panel .confirmation-code").inner_text() == code
        assert page.locator("svg.qr-code").is_visible()
        screenshot(page, f"confirm-{language}-{step}-booked-phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    held = Appointment.objects.booked().filter(person=person)
    assert sorted(held.values_list("vaccine__name", flat=True)) == ["Comirnaty (COVID-19)", "Influenza 2026/27"]
    assert held.get(vaccine__name__startswith="Comirnaty").screening_answers.get().answer is False
    page.goto("/appointments/book/")
    assert page.locator(".alert-info li").count() == 2  # both listed as held
    assert page.console_errors == []
