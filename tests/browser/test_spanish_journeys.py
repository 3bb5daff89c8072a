"""Issue 9's "done when": switching to Spanish in the footer changes every word
of the booking and the check-in journeys.

Each journey runs twice, once in English and once in Spanish, and keeps the
visible text of every page (body text, title, aria-label, title, placeholder
and alt attributes). In the Spanish run no line of the English page may
remain, and no English word of our catalogue may appear; names, codes, numbers
and the brand are taken out first. The Spanish pages must also fit a 360 px
phone.
"""

import re
from datetime import timedelta
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from accounts.roles import Role
from tests.browser.helpers import label
from tests.browser.test_booking_journey import clinics  # noqa: F401  (fixture)
from tests.browser.test_checkin_journey import mobile_clinic  # noqa: F401  (fixture)
from tests.factories import PASSWORD, UserFactory
from vaccination.models import Appointment
from vaccination.services import book

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SMALL_PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
# Language names are written in their own language on purpose (the switcher).
SAME_IN_EVERY_LANGUAGE = ["VaxFleet", "English", "Español"]

VISIBLE_TEXT = """() => {
  const parts = [document.title, document.body.innerText];
  for (const element of document.querySelectorAll("[aria-label], [title], [placeholder], [alt]")) {
    for (const name of ["aria-label", "title", "placeholder", "alt"]) {
      if (element.hasAttribute(name)) parts.push(element.getAttribute(name));
    }
  }
  return parts.join("\\n");
}"""


def tr(language, text):
    with translation.override(language):
        return translation.gettext(text)


def english_words_of_ours():
    """Words of our English texts that no Spanish translation uses."""
    catalogue = polib.pofile(str(CATALOGUE))

    def words(texts):
        return {
            word.lower()
            for text in texts
            for word in re.findall(r"[^\W\d_]{3,}", re.sub(r"%(\(\w+\))?[sd]", " ", text))
        }

    english = words(entry.msgid for entry in catalogue) | words(e.msgid_plural for e in catalogue)
    spanish = words(entry.msgstr for entry in catalogue) | words(
        text for entry in catalogue for text in entry.msgstr_plural.values()
    )
    return english - spanish


class Journey:
    """Walks the pages in one language and keeps what each one says."""

    def __init__(self, page, screenshot, language, data):
        self.page, self.screenshot, self.language = page, screenshot, language
        self.data = sorted([*data, *SAME_IN_EVERY_LANGUAGE], key=len, reverse=True)
        self.texts = {}

    def t(self, text):
        return tr(self.language, text)

    def choose_language_in_the_footer(self):
        footer = self.page.locator("footer")
        footer.locator("select[name=language]").select_option(self.language)
        footer.get_by_role("button").click()
        self.page.wait_for_selector(f"html[lang={self.language}]")

    def sign_in(self, email):
        self.page.locator("input[name=login]").fill(email)
        self.page.locator("input[name=password]").fill(PASSWORD)
        self.page.locator("input[name=password]").press("Enter")

    def keep(self, step):
        self.page.wait_for_load_state()
        self.texts[step] = self.without_data(self.page.evaluate(VISIBLE_TEXT))
        if self.language == "es":
            self.page.set_viewport_size(SMALL_PHONE)
            self.screenshot(self.page, f"es-{step}-360")
            width = self.page.evaluate("document.documentElement.scrollWidth")
            assert width <= SMALL_PHONE["width"], f"{step}: {width} px wide on a 360 px phone"
            self.page.set_viewport_size(DESKTOP)

    def without_data(self, text):
        for value in self.data:
            text = text.replace(value, " ")
        return text


def lines_with_words(text):
    return {" ".join(line.split()) for line in text.splitlines() if re.search(r"[^\W\d_]{2,}", line)}


def assert_all_spanish(english: Journey, spanish: Journey):
    assert english.texts.keys() == spanish.texts.keys()
    ours = english_words_of_ours()
    left = {}
    for step, english_text in english.texts.items():
        spanish_text = spanish.texts[step]
        same_lines = lines_with_words(english_text) & lines_with_words(spanish_text)
        english_words = {word for word in re.findall(r"[^\W\d_]{3,}", spanish_text) if word.lower() in ours}
        if same_lines or english_words:
            left[step] = sorted(same_lines | english_words)
    assert left == {}, f"English left on the Spanish pages: {left}"


def booking_journey(page, screenshot, language, clinic, person):
    data = [clinic.name, "Mobile Clinic TRK-0042", "Influenza 2026/27", "Comirnaty (COVID-19)", "Europe/Madrid"]
    data += [*clinic.address.splitlines(), "Lakeside shopping centre car park"]
    data += [person.email, person.get_full_name(), person.first_name]
    journey = Journey(page, screenshot, language, data)
    tomorrow = clinic.today() + timedelta(days=1)
    page.goto("/")
    journey.choose_language_in_the_footer()
    journey.keep("home")

    page.get_by_role("link", name=journey.t("Book a vaccination")).first.click()
    page.get_by_role("heading", name=journey.t("Book a vaccination")).wait_for()
    journey.keep("clinics")
    page.get_by_role("link", name=re.compile(clinic.name)).click()
    page.locator(f"a.day[href*='day={tomorrow.isoformat()}']").click()
    journey.keep("times")

    book_at_nine = re.compile(rf"^{journey.t('Book')} 09:00, Comirnaty")
    page.get_by_role("button", name=book_at_nine).click()
    page.get_by_role("heading", name=journey.t("Check your booking")).wait_for()
    journey.keep("check-anonymous")
    page.get_by_role("button", name=journey.t("Book"), exact=True).click()
    # The time is held while a visitor confirms an email; this one has a password.
    page.get_by_role("heading", name=journey.t("Confirm your email to book")).wait_for()
    page.locator("main a[href*='/hold/finish/']").first.click()  # "Sign in with it", inside a sentence
    page.locator("input[name=login]").wait_for()
    journey.keep("sign-in")
    journey.sign_in(person.email)
    # Signed in from the held time: it is booked at once (vaccination.views_holds).
    page.get_by_role("heading", name=journey.t("Booking complete")).wait_for()
    appointment = Appointment.objects.get(person=person)
    journey.data.insert(0, appointment.code)
    journey.keep("confirmation")

    page.get_by_role("link", name=journey.t("My appointments")).first.click()
    page.get_by_role("link", name=journey.t("Move")).click()
    journey.keep("move")
    page.goto(f"/appointments/{appointment.pk}/")
    page.get_by_text(journey.t("Cancel this appointment")).click()
    page.get_by_role("button", name=journey.t("Yes, cancel my appointment")).click()
    page.get_by_text(journey.t("Your appointment is cancelled. The seat is free for someone else.")).wait_for()
    journey.keep("my-appointments")
    return journey


def test_switching_to_spanish_changes_every_word_of_the_booking_journey(page, screenshot, clinics):  # noqa: F811
    english = booking_journey(
        page,
        screenshot,
        "en",
        clinics,
        UserFactory(email="emma@example.org", first_name="Emma", last_name="Stone", language=""),
    )
    page.context.clear_cookies()
    spanish = booking_journey(
        page,
        screenshot,
        "es",
        clinics,
        UserFactory(email="elena@example.org", first_name="Elena", last_name="Soto", language=""),
    )

    assert_all_spanish(english, spanish)
    assert spanish.texts["confirmation"].count(" de ") >= 1  # "jueves, 3 de diciembre de 2026"
    assert page.console_errors == []


def checkin_journey(page, screenshot, language, site, nurse, person):
    appointment = book(person=person, slot=site.slots.get())
    code = appointment.code
    journey = Journey(
        page,
        screenshot,
        language,
        [
            site.name,
            site.address,
            site.time_zone,
            code,
            nurse.get_full_name(),
            nurse.email,
            nurse.first_name,
            person.get_full_name(),
            "Rosa Ramos",
            "Luis Lopez",
            "Comirnaty (COVID-19)",
            "TRK-0042",
            "Diego Driver",
            "ZZZZ-ZZZZ",
            "FK1234",
            # The desk shows the refusal's reason code for support, like an error number.
            "already_checked_in",
            "unknown",
        ],
    )
    page.goto("/accounts/login/")
    journey.choose_language_in_the_footer()
    journey.sign_in(nurse.email)
    page.wait_for_url("**/clinic/checkin/")  # a nurse lands on the desk
    journey.keep("desk")

    field = page.get_by_label(label(journey.t("Code")))
    field.fill(f"{code[:4].lower()} {code[4:].lower()}")
    field.press("Enter")
    page.get_by_role("status").filter(has_text=journey.t("Checked in")).wait_for()
    journey.keep("checked-in")

    page.get_by_label(label(journey.t("Vaccine lot / batch number"))).fill("FK1234")
    page.get_by_role("button", name=journey.t("Dose given")).click()
    recorded = journey.t("Dose recorded for %(name)s, lot %(lot)s.") % {"name": person.get_full_name(), "lot": "FK1234"}
    page.get_by_text(recorded).wait_for()
    journey.keep("dose-recorded")

    page.goto("/clinic/checkin/")
    page.get_by_label(label(journey.t("Code"))).fill(code)
    page.get_by_label(label(journey.t("Code"))).press("Enter")
    page.get_by_role("alert").filter(has_text=journey.t("Already checked in")).wait_for()
    journey.keep("already-checked-in")

    page.get_by_label(label(journey.t("Code"))).fill("ZZZZ-ZZZZ")
    page.get_by_label(label(journey.t("Code"))).press("Enter")
    page.get_by_role("alert").filter(has_text=journey.t("Unknown code")).wait_for()
    journey.keep("unknown-code")

    page.goto("/clinic/today/")
    page.get_by_text("TRK-0042").wait_for()
    journey.keep("day-board")
    page.get_by_role("link", name=person.get_full_name()).click()
    page.get_by_text("FK1234").wait_for()
    journey.keep("appointment")
    return journey


def test_switching_to_spanish_changes_every_word_of_the_check_in_journey(page, screenshot, mobile_clinic):  # noqa: F811
    nurses = {
        language: UserFactory(
            email=f"nurse-{language}@example.org",
            first_name="Nora",
            last_name=language.upper(),
            language="",
            roles=[Role.CLINIC_STAFF],
        )
        for language in ("en", "es")
    }
    mobile_clinic.staff.add(*nurses.values())
    rosa = UserFactory(email="rosa@example.org", first_name="Rosa", last_name="Ramos", date_of_birth="1948-05-02")
    luis = UserFactory(email="luis@example.org", first_name="Luis", last_name="Lopez", date_of_birth="1951-11-20")

    english = checkin_journey(page, screenshot, "en", mobile_clinic, nurses["en"], rosa)
    page.context.clear_cookies()
    spanish = checkin_journey(page, screenshot, "es", mobile_clinic, nurses["es"], luis)

    assert_all_spanish(english, spanish)
    assert "20 nov 1951" in spanish.texts["checked-in"].lower()
    assert page.console_errors == []
