"""The desk on a phone (issue 22, items 7 and 8): find a person by name and
date of birth and check them in with the desk's own answer; the answer
comes first, with no raw reason codes; "Dose given" returns to the desk."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from tests.factories import UserFactory, recent_start_today
from vaccination.models import Appointment, CheckInLog, Site, Slot, Vaccine

pytestmark = pytest.mark.django_db

FIND = reverse("clinic:find")


@pytest.fixture
def site(clinic_staff):
    site = Site.objects.create(name="Lakeside", address="Car park", time_zone="Europe/Madrid")
    site.staff.add(clinic_staff)
    return site


@pytest.fixture
def vaccine():
    return Vaccine.objects.create(name="Comirnaty", doses_required=2)


def book(site, vaccine, *, first="Rosa", last="Ramos", born=date(1948, 5, 2), start=None):
    start = start or recent_start_today(site)
    slot = Slot.objects.filter(site=site, start=start).first() or Slot.objects.create(
        site=site, vaccine=vaccine, start=start, end=start + timedelta(minutes=15), capacity=10
    )
    person = UserFactory(first_name=first, last_name=last)
    person.date_of_birth = born
    person.save()
    return Appointment.objects.create(person=person, slot=slot)


@pytest.fixture
def rosa(site, vaccine):
    return book(site, vaccine)


@pytest.fixture
def desk(client, clinic_staff):
    client.force_login(clinic_staff)
    return client


def search(client, site, name="rosa", day=2, month=5, year=1948):
    return client.get(FIND, {"site": site.pk, "name": name, "day": day, "month": month, "year": year})


def test_a_nurse_finds_a_person_by_name_and_date_of_birth_and_checks_them_in_with_the_desk_answer(
    desk, site, rosa, clinic_staff
):
    page = search(desk, site, name="ramos ROSA").content.decode()

    assert "1 person found" in page
    assert "Rosa Ramos" in page
    assert rosa.person.email not in page  # only what the nurse needs
    attempt = page.split('name="attempt" value="')[1].split('"')[0]

    response = desk.post(reverse("clinic:checkin"), {"site": site.pk, "code": rosa.code, "attempt": attempt})

    assert response.status_code == 200
    assert 'data-reason="checked_in"' in response.content.decode()
    rosa.refresh_from_db()
    assert rosa.status == Appointment.Status.CHECKED_IN
    assert rosa.checked_in_by == clinic_staff
    assert CheckInLog.objects.get().attempt == attempt


def test_find_needs_the_whole_date_of_birth_and_finds_no_one_born_another_day(desk, site, rosa):
    assert "0 people found" in search(desk, site, day=3).content.decode()
    page = search(desk, site, day="").content.decode()
    assert "people found" not in page
    assert "is-invalid" in page
    assert "does not exist" in search(desk, site, day=31, month=2).content.decode()


def test_find_only_looks_at_todays_appointments_at_the_nurses_own_clinic(desk, site, vaccine, rosa):
    tomorrow = recent_start_today(site) + timedelta(days=1)
    book(site, vaccine, first="Rosa", last="Tomorrow", start=tomorrow)
    elsewhere = Site.objects.create(name="Elsewhere", address="2 Road", time_zone="Europe/Madrid")
    book(elsewhere, vaccine, first="Rosa", last="Elsewhere")

    page = search(desk, site, name="rosa").content.decode()
    other_clinic = desk.get(FIND, {"site": elsewhere.pk, "name": "rosa", "day": 2, "month": 5, "year": 1948})

    assert "1 person found" in page
    assert "Tomorrow" not in page
    assert "Elsewhere" not in page
    # A clinic the nurse does not work at: her own is searched instead.
    assert "Rosa Elsewhere" not in other_clinic.content.decode()


def test_find_lists_a_few_people_at_most(desk, site, vaccine):
    for index in range(8):
        book(site, vaccine, first="Ana", last=f"Garcia {index}")

    page = search(desk, site, name="ana").content.decode()

    assert page.count('class="card card-body find-person"') == 5
    assert "More people match" in page


def test_find_is_rate_limited(desk, site, rosa, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "find_person": "2/m/user"}
    assert search(desk, site).status_code == 200
    assert search(desk, site).status_code == 200
    assert search(desk, site).status_code == 429


def test_find_is_for_clinic_staff(client, person, site):
    assert client.get(FIND).status_code == 302
    client.force_login(person)
    assert client.get(FIND).status_code == 403


def test_find_refuses_post(desk):
    assert desk.post(FIND).status_code == 405


def test_a_refused_answer_keeps_its_reason_code_in_a_support_disclosure_only(desk, site):
    page = desk.post(reverse("clinic:checkin"), {"site": site.pk, "code": "ZZZZZZZZ"}).content.decode()

    answer = page.split('class="desk-result desk-result-refused"')[1].split("</section>")[0]
    assert "Unknown code" in answer
    details = answer.split("<details")[1]
    assert "Details for support" in details
    assert "<code>unknown</code>" in details
    assert "<code>unknown</code>" not in answer.split("<details")[0]


def test_the_answer_comes_before_the_clinic_picker_and_the_walk_in_links(desk, site, rosa):
    page = desk.post(reverse("clinic:checkin"), {"site": site.pk, "code": rosa.code}).content.decode()

    assert page.index('id="result-headline"') < page.index('id="desk-dose"') < page.index('id="desk-form"')
    assert page.index('id="desk-form"') < page.index('id="desk-status"') < page.index(reverse("desk:walk-in"))


def test_dose_given_at_the_desk_returns_to_the_desk_and_remembers_the_lot(desk, site, rosa, vaccine):
    desk.post(reverse("clinic:checkin"), {"site": site.pk, "code": rosa.code})

    response = desk.post(
        reverse("clinic:record-dose", args=[rosa.pk]), {"vaccine_lot": "FK1234", "return_to": "desk"}, follow=True
    )

    assert response.redirect_chain[-1][0] == f"{reverse('clinic:checkin')}?site={site.pk}"
    assert "Dose recorded for Rosa Ramos, lot FK1234." in response.content.decode()
    rosa.refresh_from_db()
    assert rosa.vaccine_lot == "FK1234"
    # The next person of the same vaccine gets the lot filled in.
    next_person = book(site, vaccine, first="Luis", last="Lopez")
    page = desk.post(reverse("clinic:checkin"), {"site": site.pk, "code": next_person.code}).content.decode()
    assert 'value="FK1234"' in page.split('id="desk-dose"')[1].split("</form>")[0]
