"""Issue 17's journey in a real browser: a nurse declares 2 spare doses until
15:00; three people on the standby list get offers; two accept from their
phones and get an appointment, the third is told kindly the doses are gone.
In English and in Spanish."""

import re
import zoneinfo
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.roles import Role
from standby import services
from standby.models import Offer
from tests.browser.conftest import PHONE, assert_accessible
from tests.browser.helpers import LANDED, label
from tests.factories import PASSWORD, UserFactory
from vaccination.models import Appointment, Site, Vaccine

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Spread round the globe: in one of them it is always between 06:00 and 14:00,
# so "until 15:00 today" is still to come there.
ZONES = [
    "Europe/Madrid",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Pacific/Auckland",
    "Pacific/Honolulu",
    "America/Los_Angeles",
    "America/New_York",
    "America/Sao_Paulo",
]
WORDS = {
    "en": {"taken": "The dose is yours.", "gone": "the spare doses were all taken", "accept": "Accept: I am coming"},
    "es": {"taken": "La dosis es suya.", "gone": "las dosis sobrantes se asignaron", "accept": "Aceptar: voy"},
}


def morning_zone():
    for name in ZONES:
        if 6 <= timezone.localtime(timezone=zoneinfo.ZoneInfo(name)).hour < 14:
            return name
    raise AssertionError("no zone in the morning")  # cannot happen: they span the globe


def sign_in(page, email):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label(label("Email")).fill(email)
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(LANDED)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_two_of_three_standby_people_take_the_two_spare_doses_and_the_third_is_told(page, screenshot, settings, lang):
    settings.STANDBY_OFFERS_PER_DOSE = 2
    site = Site.objects.create(name="Central Health Centre", address="12 Hospital Road", time_zone=morning_zone())
    vaccine = Vaccine.objects.create(name="Influenza 2026/27")
    nurse = UserFactory(email="nora@example.org", first_name="Nora", last_name="Nurse", roles=[Role.CLINIC_STAFF])
    site.staff.add(nurse)
    people = [
        UserFactory(email=f"{name.lower()}@example.org", first_name=name, last_name="Standby", language=lang)
        for name in ("Ana", "Ben", "Cai")
    ]
    for person in people:
        services.join(person=person, site=site, day=site.today(), arrive_within=30)

    # The nurse declares two spare doses until 15:00.
    sign_in(page, nurse.email)
    page.goto(f"/clinic/checkin/?site={site.pk}")
    page.get_by_role("link", name="Spare doses").click()
    page.get_by_label(label("Vaccine")).select_option(str(vaccine.pk))
    page.get_by_label(label("Spare doses")).fill("2")
    page.get_by_label(label("To give by (today)")).fill("15:00")
    page.get_by_role("button", name="Offer to the standby list").click()
    page.get_by_text("3 people on the standby list were sent an offer").wait_for()
    assert_accessible(page)
    assert Offer.objects.count() == 3

    links = {
        message.to[0]: re.search(r"https?://\S+|/standby/offers/\S+/", message.body).group(0) for message in mail.outbox
    }
    assert set(links) == {person.email for person in people}

    # Each opens the link from the email on a phone; the first two accept.
    page.set_viewport_size(PHONE)
    words = WORDS[lang]
    for person, outcome in zip(people, ("taken", "taken", "gone"), strict=True):
        sign_in(page, person.email)
        page.goto(links[person.email])
        page.get_by_role("button", name=words["accept"]).click()
        page.get_by_text(words[outcome], exact=False).first.wait_for()
        assert_accessible(page)
        screenshot(page, f"standby-{lang}-{person.first_name.lower()}-{outcome}")

    booked = Appointment.objects.filter(source=Appointment.Source.OFFER)
    assert sorted(booked.values_list("person__first_name", flat=True)) == ["Ana", "Ben"]
    late = Offer.objects.get(entry__person=people[2])
    assert late.status == Offer.Status.GONE
    assert late.entry.is_active  # still on the list
    assert timezone.now() < late.spare.until <= timezone.now() + timedelta(hours=9)
