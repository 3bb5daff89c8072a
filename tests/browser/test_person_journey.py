"""Issue 22's whole journey for a person, in one go, on a phone, in English and
in Spanish: search a town, pick the nearest clinic, choose COVID-19 and a
time, check the answers, book with an emailed code and no password, see the
confirmation panel; then, signed in by that code, book flu at the same clinic
and see its panel too; and later set a password from the profile. axe checks every page loaded (the page fixture)."""

import re

import pytest
from django.core import mail
from django.utils import translation

from accounts.models import User
from tests.browser.conftest import PHONE
from tests.browser.helpers import label
from vaccination.models import Appointment, ScreeningQuestion, SeatHold, Vaccine

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CODE_LINE = r"^([A-Z0-9]{4}-[A-Z0-9]{4})$"
PHRASES = [
    "Town or postcode",
    "Search",
    "Choose this clinic",
    "Choose",
    "Check your booking",
    "Book",
    "Confirm your email to book",
    "Email",
    "First name",
    "Last name",
    "Email me a code",
    "Enter Sign-In Code",
    "Code",
    "Confirm",
    "Booking complete",
    "Book another vaccine",
    "Set a password",
    "Password",
    "Password (again)",
    "Set Password",
    "Password successfully set.",
    "Answer yes or no.",
    "No",
    "Before your vaccination",
    "Answer the questions",
    "Save the answers",
    "The answers are saved.",
]


def fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def on_the_first_screen(locator):
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_person_finds_the_nearest_clinic_and_books_covid_and_flu_with_an_emailed_code(
    page, screenshot, live_server, demo_clinics, lang
):
    with translation.override(lang):
        t = {phrase: translation.gettext(phrase) for phrase in PHRASES}
        nearest = translation.gettext("Clinics nearest to %(place)s, in a straight line.") % {"place": "Hillcrest"}
    page.set_default_timeout(30_000)  # each step loads a page: a shared machine can pass the default 10 s
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page.set_viewport_size(PHONE)

    def choose_nearest_then(vaccine):
        page.get_by_label(t["Town or postcode"]).fill("Hillcrest")
        page.get_by_role("button", name=t["Search"], exact=True).click()
        page.get_by_text(nearest).wait_for()
        first = page.locator(".clinic-card").first
        assert "Northside Community Hall" in first.inner_text()  # the nearest, not the first by name
        fits_the_phone(page)
        screenshot(page, f"person-{lang}-{vaccine[:5].lower()}-1-nearest-phone")
        first.get_by_role("link", name=re.compile(t["Choose this clinic"])).click()
        page.get_by_role("link", name=f"{t['Choose']} {vaccine}").click()
        page.locator("#times-heading").wait_for()
        fits_the_phone(page)
        screenshot(page, f"person-{lang}-{vaccine[:5].lower()}-2-times-phone")
        # Playwright's regular expressions cannot hold the "/" of "2026/27": the first word will do.
        page.get_by_role("button", name=re.compile(rf"09:00, {vaccine.split()[0]}")).first.click()
        page.get_by_role("heading", name=t["Check your booking"]).wait_for()
        assert "Northside Community Hall" in page.content()
        fits_the_phone(page)
        if page.get_by_text(t["Before your vaccination"]).count():  # signed in: asked here, before booking
            page.get_by_role("button", name=t["Book"], exact=True).click()
            page.get_by_text(t["Answer yes or no."]).first.wait_for()
            page.get_by_label(t["No"], exact=True).check()
        screenshot(page, f"person-{lang}-{vaccine[:5].lower()}-3-check-phone")
        page.get_by_role("button", name=t["Book"], exact=True).click()

    def sees_the_panel_for(vaccine, person):
        page.get_by_role("heading", name=t["Booking complete"]).wait_for()
        code = Appointment.objects.booked().get(person=person, vaccine__name=vaccine).code
        assert page.locator(".confirmation-panel .confirmation-code").inner_text() == code
        screenshot(page, f"person-{lang}-{vaccine[:5].lower()}-5-booked-phone")
        # What is shown at the door comes first on a phone: the code, then the square barcode.
        assert on_the_first_screen(page.locator("svg.qr-code"))
        fits_the_phone(page)

    for vaccine in Vaccine.objects.all():
        ScreeningQuestion.objects.create(
            vaccine=vaccine,
            order=1,
            text="Have you had a severe allergic reaction?",
            text_es="¿Ha tenido una reacción alérgica grave?",
        )
    page.goto("/appointments/book/")
    choose_nearest_then("Comirnaty (COVID-19)")

    # Not signed in: the time is held while the email is confirmed with a code.
    page.get_by_role("heading", name=t["Confirm your email to book"]).wait_for()
    assert SeatHold.objects.count() == 1
    fits_the_phone(page)
    screenshot(page, f"person-{lang}-comir-4-hold-phone")
    page.get_by_role("textbox", name=label(t["Email"])).fill("Rosa.Ramos@example.org")
    page.get_by_label(label(t["First name"])).fill("Rosa")
    page.get_by_label(label(t["Last name"])).fill("Ramos")
    assert page.get_by_label(re.compile("Password|Contraseña")).count() == 0
    page.get_by_role("button", name=t["Email me a code"]).click()
    page.get_by_role("heading", name=t["Enter Sign-In Code"]).wait_for()
    screenshot(page, f"person-{lang}-comir-4-code-phone")
    assert mail.outbox[-1].to == ["rosa.ramos@example.org"]
    code = re.search(CODE_LINE, mail.outbox[-1].body, re.MULTILINE).group(1)
    page.get_by_label(label(t["Code"])).fill(code)
    page.get_by_role("button", name=t["Confirm"]).click()

    rosa = User.objects.get(email="rosa.ramos@example.org")
    sees_the_panel_for("Comirnaty (COVID-19)", rosa)
    assert not SeatHold.objects.exists()
    another = page.get_by_role("link", name=t["Book another vaccine"]).get_attribute("href")
    # Booked before she had an account, she answers the health questions now.
    page.get_by_role("link", name=t["Answer the questions"]).click()
    page.get_by_label(t["No"], exact=True).check()
    page.get_by_role("button", name=t["Save the answers"]).click()
    page.get_by_text(t["The answers are saved."]).wait_for()

    # Signed in by the code: flu is booked straight from the check page.
    page.goto(another)
    choose_nearest_then("Influenza 2026/27")
    sees_the_panel_for("Influenza 2026/27", rosa)

    booked = Appointment.objects.booked().filter(person=rosa).select_related("slot__site")
    assert sorted(a.vaccine.name for a in booked) == ["Comirnaty (COVID-19)", "Influenza 2026/27"]
    assert {a.slot.site.name for a in booked} == {"Northside Community Hall"}
    # COVID's answered after booking (no account yet), flu's on the check page (signed in by then).
    assert [a.screening_answers.get().answer for a in booked] == [False, False]
    page.goto("/appointments/book/")
    assert page.locator(".alert-info li").count() == 2  # both listed as held
    rosa.refresh_from_db()
    assert not rosa.has_usable_password()

    # Later, from the profile, a password if she wants one.
    page.goto("/accounts/profile/")
    page.get_by_role("link", name=t["Set a password"]).click()
    page.get_by_label(label(t["Password"])).fill("a-long-enough-passphrase")
    page.get_by_label(label(t["Password (again)"])).fill("a-long-enough-passphrase")
    page.get_by_role("button", name=t["Set Password"]).click()
    page.get_by_text(t["Password successfully set."]).wait_for()
    rosa.refresh_from_db()
    assert rosa.check_password("a-long-enough-passphrase")
    assert page.console_errors == []
