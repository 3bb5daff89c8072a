"""Issue 22 items 7 and 8, and issue 18's offline dose, in a real browser on a
phone (390x844): a nurse finds a person by name and checks them in, and the
answer and the lot field are above the fold; a dose entered offline syncs
after its check-in. And at a desktop window, a scanned code's answer stays in
view while the code field keeps the focus."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from stock import services as stock
from stock.models import Lot
from tests.browser.conftest import PHONE, assert_accessible
from tests.browser.test_checkin_journey import daytime_zone, sign_in
from tests.browser.test_checkin_offline import go_offline, go_online, open_desk, scan
from tests.factories import UserFactory
from vaccination.models import Appointment, Site, Slot, Vaccine

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WORDS = {
    "en": {
        "find": "Find by name",
        "name": "Name",
        "day": "Day",
        "month": "Month",
        "year": "Year",
        "button": "Find",
        "check_in": "Check in Rosa",
        "checked_in": "Checked in",
    },
    "es": {
        "find": "Buscar por nombre",
        "name": "Nombre",
        "day": "Día",
        "month": "Mes",
        "year": "Año",
        "button": "Buscar",
        "check_in": "Registrar la llegada de Rosa",
        "checked_in": "Llegada registrada",
    },
}


@pytest.fixture
def clinic():
    site = Site.objects.create(name="Mobile Clinic Lakeside", address="Lakeside car park", time_zone=daytime_zone())
    vaccine = Vaccine.objects.create(name="Comirnaty (COVID-19)", doses_required=2)
    now = timezone.now().replace(second=0, microsecond=0)
    slot = Slot.objects.create(
        site=site, vaccine=vaccine, start=now + timedelta(hours=1), end=now + timedelta(hours=1, minutes=15), capacity=5
    )
    rosa = UserFactory(first_name="Rosa", last_name="Ramos")
    rosa.date_of_birth = "1948-05-02"
    rosa.save()
    nurse = UserFactory(email="nora@example.org", first_name="Nora", last_name="Nurse", roles=[Role.CLINIC_STAFF])
    site.staff.add(nurse)
    lot = Lot.objects.create(vaccine=vaccine, number="FK1234", expires_on=timezone.localdate() + timedelta(days=90))
    stock.receive(lot=lot, quantity=10, site=site, by=nurse)
    return {"site": site, "rosa": Appointment.objects.create(person=rosa, slot=slot), "nurse": nurse}


def within_the_screen(locator):
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_nurse_on_a_phone_finds_a_person_by_name_and_checks_them_in_with_the_answer_above_the_fold(
    page, screenshot, clinic, language
):
    site, rosa, nurse = clinic["site"], clinic["rosa"], clinic["nurse"]
    nurse.language = language
    nurse.save()
    words = WORDS[language]
    page.set_viewport_size(PHONE)
    sign_in(page, nurse.email)
    page.goto(f"/clinic/checkin/?site={site.pk}")

    page.get_by_role("link", name=words["find"]).first.click()
    page.get_by_label(words["name"], exact=True).fill("ramos")
    page.get_by_label(words["day"], exact=True).fill("2")
    page.get_by_label(words["month"], exact=True).fill("5")
    page.get_by_label(words["year"], exact=True).fill("1948")
    assert_accessible(page)
    page.get_by_role("button", name=words["button"], exact=True).click()
    found = page.locator(".find-person")
    found.wait_for()
    assert "Rosa Ramos" in found.inner_text()
    assert_accessible(page)
    screenshot(page, f"desk-find-phone-{language}")

    page.get_by_role("button", name=words["check_in"]).click()
    answer = page.locator(".desk-result-ok")
    answer.wait_for()
    assert words["checked_in"] in answer.inner_text()
    page.wait_for_timeout(400)  # let the page settle any scroll to the code field
    assert within_the_screen(answer)
    assert within_the_screen(page.locator("#desk-dose").get_by_role("radio", name=re.compile("FK1234")))
    assert_accessible(page)
    screenshot(page, f"desk-find-checked-in-phone-{language}")
    assert Appointment.objects.get(pk=rosa.pk).checked_in_by == nurse

    # Dose given: back to the desk, ready for the next person.
    page.locator("#desk-dose").get_by_role("radio", name=re.compile("FK1234")).check()
    page.locator("#desk-dose button[type=submit]").click()
    page.wait_for_url(f"**/clinic/checkin/?site={site.pk}")
    assert page.locator("#desk-form input[name=code]").is_visible()
    assert Appointment.objects.get(pk=rosa.pk).vaccine_lot == "FK1234"
    assert page.console_errors == []


def test_a_dose_recorded_offline_from_the_lots_on_hand_syncs_after_its_check_in(page, screenshot, clinic):
    site, rosa, nurse = clinic["site"], clinic["rosa"], clinic["nurse"]
    page.set_viewport_size(PHONE)
    open_desk(page, nurse, site)
    go_offline(page.context)
    page.get_by_text("Offline", exact=True).wait_for()

    scan(page, rosa.code)
    page.get_by_role("status").filter(has_text="Checked in").wait_for()
    lot = page.get_by_role("group", name="Vaccine lot").get_by_role("radio", name=re.compile("FK1234"))
    assert within_the_screen(lot)
    lot.check()
    assert_accessible(page)
    screenshot(page, "desk-offline-dose-phone")
    page.get_by_role("button", name="Dose given").click()
    page.get_by_text("Dose recorded offline for Rosa Ramos, lot FK1234; it will sync.").wait_for()
    page.get_by_text("Waiting to sync: 2").wait_for()
    assert page.evaluate("document.activeElement.name") == "code"
    assert_accessible(page)

    go_online(page.context)
    page.get_by_text("All scans synced.").wait_for()
    page.get_by_text("Waiting to sync: 0").wait_for()
    rosa.refresh_from_db()
    assert rosa.checked_in_by == nurse
    assert (rosa.vaccine_lot, rosa.dose_given_by) == ("FK1234", nurse)
    assert rosa.dose_given_at >= rosa.checked_in_at
    assert page.locator("#desk-conflicts").is_hidden()
    assert page.console_errors == []


def test_a_dose_recorded_offline_for_someone_dosed_since_is_listed_as_a_conflict(page, screenshot, clinic):
    site, rosa, nurse = clinic["site"], clinic["rosa"], clinic["nurse"]
    page.set_viewport_size(PHONE)
    open_desk(page, nurse, site)
    go_offline(page.context)
    scan(page, rosa.code)
    page.get_by_role("radio", name=re.compile("FK1234")).check()
    page.get_by_role("button", name="Dose given").click()
    page.get_by_text("Waiting to sync: 2").wait_for()
    # Meanwhile another desk checked Rosa in and recorded her dose.
    Appointment.objects.filter(pk=rosa.pk).update(
        status=Appointment.Status.CHECKED_IN, checked_in_at=timezone.now(), dose_given_at=timezone.now()
    )

    go_online(page.context)
    conflicts = page.get_by_role("region", name="Scans that changed when synced")
    conflicts.wait_for()
    conflicts.get_by_text("Dose not recorded", exact=False).wait_for()
    assert "A dose is already recorded for this appointment" in conflicts.inner_text()
    assert_accessible(page)
    screenshot(page, "desk-offline-dose-conflict-phone")
    assert page.console_errors == []


DESKTOP = {"width": 1280, "height": 800}


@pytest.mark.parametrize("language", ["en", "es"])
def test_at_a_desktop_window_a_scanned_code_s_answer_stays_in_view(page, clinic, language):
    """A scanner types the code and presses Enter: the answer, not the next
    scan's field further down, is what the nurse sees (the field keeps the
    focus). Chrome's smooth scroll to the autofocused field used to carry the
    answer off the top for the first two thirds of a second, and a nurse
    glancing at the screen then saw the empty field."""
    site, rosa, nurse = clinic["site"], clinic["rosa"], clinic["nurse"]
    nurse.language = language
    nurse.save()
    page.set_viewport_size(DESKTOP)
    sign_in(page, nurse.email)
    page.goto(f"/clinic/checkin/?site={site.pk}")
    page.fill("#id_code", rosa.code)
    page.press("#id_code", "Enter")
    answer = page.locator(".desk-result-ok")
    answer.wait_for()
    page.wait_for_timeout(400)  # let the page settle any scroll to the code field

    box = answer.bounding_box()
    assert 0 <= box["y"] < DESKTOP["height"], f"the answer is scrolled out of view: {box}"
    assert page.evaluate("document.activeElement.id") == "id_code"
