"""The issue's integration story: with only a token, list free slots, book
one, read its QR value, and a clinic's system checks it in."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.api.conftest import bearer, make_slot
from tests.factories import UserFactory
from vaccination.models import Appointment, CheckInLog

pytestmark = pytest.mark.django_db


def test_an_integration_lists_free_slots_books_one_and_a_clinic_checks_it_in(
    midday, person, clinic_staff, clinic, vaccine
):
    slot = make_slot(clinic, vaccine, hours=1)
    app = bearer(person)

    free = app.get("/api/v1/slots/", {"site": clinic.pk, "day": slot.local_start.date().isoformat()}).json()
    booked = app.post("/api/v1/appointments/", {"slot": free["results"][0]["id"]}, format="json")
    desk = bearer(clinic_staff).post("/api/v1/checkins/", {"code": booked.json()["qr_value"]}, format="json")

    assert [row["id"] for row in free["results"]] == [slot.pk]
    assert booked.status_code == 201
    assert booked.json()["qr_value"] == booked.json()["code"] == Appointment.objects.get(person=person).code
    assert desk.status_code == 200
    assert desk.json()["result"] == "checked_in"
    assert desk.json()["ok"] is True
    assert desk.json()["appointment"]["person_name"] == "Pat Person"
    assert Appointment.objects.get(person=person).status == Appointment.Status.CHECKED_IN
    assert CheckInLog.objects.filter(reason="checked_in", user=clinic_staff).count() == 1


def test_the_last_seat_taken_is_a_409_slot_full(person, clinic, vaccine):
    slot = make_slot(clinic, vaccine, capacity=1)
    bearer(UserFactory()).post("/api/v1/appointments/", {"slot": slot.pk}, format="json")

    response = bearer(person).post("/api/v1/appointments/", {"slot": slot.pk}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "slot_full"
    assert "just taken" in response.json()["error"]["message"]


def test_a_full_slot_is_not_listed_as_free(person, clinic, vaccine):
    full = make_slot(clinic, vaccine, capacity=1)
    bearer(UserFactory()).post("/api/v1/appointments/", {"slot": full.pk}, format="json")

    assert bearer(person).get("/api/v1/slots/").json()["count"] == 0


def test_a_second_booking_is_a_409_already_booked(person, clinic, vaccine):
    app = bearer(person)
    app.post("/api/v1/appointments/", {"slot": make_slot(clinic, vaccine).pk}, format="json")

    response = app.post("/api/v1/appointments/", {"slot": make_slot(clinic, vaccine, hours=50).pk}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_booked"


def test_an_unknown_slot_is_a_400_naming_the_field(person):
    response = bearer(person).post("/api/v1/appointments/", {"slot": 999999}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "slot" in response.json()["error"]["fields"]


def test_a_person_cancels_and_the_seat_is_free_again(person, slot):
    app = bearer(person)
    appointment = app.post("/api/v1/appointments/", {"slot": slot.pk}, format="json").json()

    response = app.post(f"/api/v1/appointments/{appointment['id']}/cancel/")
    again = app.post(f"/api/v1/appointments/{appointment['id']}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["qr_value"] is None
    slot.refresh_from_db()
    assert slot.booked_count == 0
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "not_changeable"


def test_a_person_reschedules_to_another_slot(person, clinic, vaccine, slot):
    app = bearer(person)
    appointment = app.post("/api/v1/appointments/", {"slot": slot.pk}, format="json").json()
    later = make_slot(clinic, vaccine, hours=72)

    response = app.post(f"/api/v1/appointments/{appointment['id']}/reschedule/", {"slot": later.pk}, format="json")

    assert response.status_code == 200
    assert response.json()["slot"]["id"] == later.pk


def test_another_persons_appointment_is_404_for_reading_cancelling_and_moving(person, other_person, slot):
    mine = bearer(person).post("/api/v1/appointments/", {"slot": slot.pk}, format="json").json()
    other = bearer(other_person)

    assert other.get(f"/api/v1/appointments/{mine['id']}/").status_code == 404
    assert other.post(f"/api/v1/appointments/{mine['id']}/cancel/").status_code == 404
    assert Appointment.objects.get(pk=mine["id"]).status == Appointment.Status.BOOKED


def test_the_desk_result_codes_come_back_through_the_api(midday, person, clinic_staff, clinic, vaccine):
    slot = make_slot(clinic, vaccine, hours=1)
    code = bearer(person).post("/api/v1/appointments/", {"slot": slot.pk}, format="json").json()["code"]
    desk = bearer(clinic_staff)

    first = desk.post("/api/v1/checkins/", {"code": code.lower()}, format="json").json()
    second = desk.post("/api/v1/checkins/", {"code": code}, format="json").json()
    unknown = desk.post("/api/v1/checkins/", {"code": "ZZZZZZZZ"}, format="json").json()

    assert [first["result"], second["result"], unknown["result"]] == ["checked_in", "already_checked_in", "unknown"]
    assert unknown["appointment"] is None


def test_a_check_in_at_a_clinic_the_nurse_does_not_work_at_is_refused(clinic_staff, clinic):
    from vaccination.models import Site

    elsewhere = Site.objects.create(name="Elsewhere", address="2 Side Road")

    response = bearer(clinic_staff).post("/api/v1/checkins/", {"code": "ABCDEFGH", "site": elsewhere.pk}, format="json")

    assert response.status_code == 400
    assert "site" in response.json()["error"]["fields"]


def test_a_person_cannot_check_anyone_in(person):
    response = bearer(person).post("/api/v1/checkins/", {"code": "ABCDEFGH"}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_a_person_updates_their_own_profile_with_the_pages_rules(person):
    app = bearer(person)

    ok = app.patch("/api/v1/me/", {"phone": "+34 600 000 111"}, format="json")
    future = app.patch(
        "/api/v1/me/", {"date_of_birth": (timezone.localdate() + timedelta(days=2)).isoformat()}, format="json"
    )
    email = app.patch("/api/v1/me/", {"email": "new@example.org"}, format="json")

    assert ok.status_code == 200
    assert ok.json()["phone"] == "+34600000111"  # E.164, as every phone is stored and served
    assert future.status_code == 400
    assert "date_of_birth" in future.json()["error"]["fields"]
    person.refresh_from_db()
    assert email.status_code == 200
    assert person.email == "pat@example.org"


def test_an_admin_creates_a_user_and_gets_it_back_without_the_password(superuser):
    admin = bearer(superuser)

    weak = admin.post(
        "/api/v1/users/",
        {"email": "new@example.org", "first_name": "N", "last_name": "U", "password": "123"},
        format="json",
    )
    created = admin.post(
        "/api/v1/users/",
        {
            "email": "New@Example.org",
            "first_name": "Nia",
            "last_name": "User",
            "password": "a-long-passphrase-2026",
            "roles": ["Clinic staff"],
        },
        format="json",
    )

    assert weak.status_code == 400
    assert "password" in weak.json()["error"]["fields"]
    assert created.status_code == 201
    body = created.json()
    assert body["email"] == "new@example.org"
    assert body["roles"] == ["Clinic staff"]
    assert "password" not in body
    assert admin.get(f"/api/v1/users/{body['id']}/").json()["email"] == "new@example.org"
