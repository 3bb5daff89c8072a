"""The person's vaccination record at /appointments/record/."""

import zoneinfo
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from vaccination.checkin import check_in, record_dose

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=MADRID)
RECORD = reverse("vaccination:record")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def vaccinated(person, site, clinic_staff, make_slot, make_appointment):
    """The person, checked in today and given dose 1 from lot FK1234."""
    site.staff.add(clinic_staff)
    appointment = make_appointment(person, make_slot(NOW.replace(hour=10, minute=30)))
    check_in(code=appointment.code, desk_user=clinic_staff, site=site)
    return record_dose(appointment=appointment, lot="FK1234", by=clinic_staff)


def test_the_record_lists_the_persons_doses_with_vaccine_date_and_lot(client, person, vaccinated):
    client.force_login(person)
    response = client.get(RECORD)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Comirnaty" in html
    assert "25 Nov 2026" in html
    assert "FK1234" in html
    assert "1 of 2" in html
    assert "css/record.css" in html  # the print stylesheet
    assert " style=" not in html
    assert "<script>" not in html


def test_a_booking_or_a_check_in_alone_is_not_a_dose(client, person, site, clinic_staff, make_slot, make_appointment):
    site.staff.add(clinic_staff)
    appointment = make_appointment(person, make_slot(NOW.replace(hour=10, minute=30)))
    check_in(code=appointment.code, desk_user=clinic_staff, site=site)
    client.force_login(person)
    html = client.get(RECORD).content.decode()
    assert "No dose is recorded for you yet." in html
    assert appointment.code not in html


def test_another_persons_record_is_never_shown(client, other_person, vaccinated):
    client.force_login(other_person)
    html = client.get(RECORD).content.decode()
    assert "FK1234" not in html
    assert "No dose is recorded for you yet." in html


def test_the_record_needs_a_login(client):
    response = client.get(RECORD)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_record_refuses_post(client, person):
    client.force_login(person)
    assert client.post(RECORD).status_code == 405


def test_the_appointment_page_links_the_record_once_the_dose_is_given(client, person, vaccinated):
    client.force_login(person)
    html = client.get(reverse("vaccination:appointment-detail", args=[vaccinated.pk])).content.decode()
    assert "Checked in at 10:00" in html
    assert "Dose given on 25 November 2026" in html
    assert RECORD in html
