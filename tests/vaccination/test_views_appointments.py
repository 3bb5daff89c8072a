from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from vaccination.models import Appointment, Slot


@pytest.fixture
def appointment(person, slot, make_appointment):
    return make_appointment(person, slot)


def url(name, appointment):
    return reverse(f"vaccination:{name}", args=[appointment.pk])


# The pages every test below walks through: (url name, method).
PAGES = [
    ("appointment-detail", "get"),
    ("appointment-cancel", "post"),
    ("appointment-reschedule", "get"),
    ("appointment-reschedule", "post"),
    ("appointment-calendar", "get"),
]


@pytest.mark.parametrize(("name", "method"), PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, appointment, name, method):
    response = getattr(client, method)(url(name, appointment))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(("name", "method"), PAGES)
def test_another_persons_appointment_is_not_found(client, other_person, appointment, name, method):
    client.force_login(other_person)

    response = getattr(client, method)(url(name, appointment), {"slot": appointment.slot_id})

    assert response.status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


@pytest.mark.parametrize(("name", "method"), PAGES)
def test_even_clinic_staff_get_a_404_for_someone_elses_appointment(client, clinic_staff, appointment, name, method):
    client.force_login(clinic_staff)

    assert getattr(client, method)(url(name, appointment)).status_code == 404


@pytest.mark.parametrize(
    ("name", "method"),
    [("appointment-detail", "post"), ("appointment-cancel", "get"), ("appointment-calendar", "post")],
)
def test_the_wrong_method_is_refused(client, person, appointment, name, method):
    client.force_login(person)

    assert getattr(client, method)(url(name, appointment)).status_code == 405


def test_the_list_needs_a_sign_in(client):
    response = client.get(reverse("vaccination:appointment-list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_list_refuses_post(client, person):
    client.force_login(person)

    assert client.post(reverse("vaccination:appointment-list")).status_code == 405


def test_the_confirmation_shows_code_qr_clinic_address_local_time_dose_and_what_to_bring(client, person, appointment):
    client.force_login(person)

    page = client.get(url("appointment-detail", appointment)).content.decode()

    assert f">{appointment.code}</p>" in page
    assert '<svg viewBox="0 0 ' in page
    assert f"QR code for {appointment.code}" in page
    assert "Central Clinic" in page
    assert "1 Main Street<br>Madrid" in page
    assert "09:00\N{EN DASH}09:15" in page
    assert "dose 1" in page
    assert "identity document" in page
    assert url("appointment-calendar", appointment) in page
    assert "style=" not in page
    assert "<script>" not in page


def test_the_qr_code_encodes_only_the_confirmation_code():
    import re

    import segno

    from vaccination.confirmation import qr_svg

    drawn = re.search(r' d="([^"]+)"', qr_svg("ABCD2345")).group(1)
    expected = re.search(r' d="([^"]+)"', segno.make("ABCD2345", error="m", micro=False).svg_inline()).group(1)
    assert drawn == expected


def test_my_appointments_lists_upcoming_first_then_past(client, person, slot, make_slot, make_appointment):
    past_slot = make_slot(start=timezone.now() - timedelta(days=5))
    past = make_appointment(person, past_slot, status=Appointment.Status.NO_SHOW)
    upcoming = make_appointment(person, slot)
    client.force_login(person)

    response = client.get(reverse("vaccination:appointment-list"))

    assert response.context["upcoming"] == [upcoming]
    assert list(response.context["page"].object_list) == [past]
    page = response.content.decode()
    assert page.index(upcoming.code) < page.index("No-show")


def test_my_appointments_shows_only_mine(client, person, other_person, slot, make_appointment):
    theirs = make_appointment(other_person, slot)
    client.force_login(person)

    page = client.get(reverse("vaccination:appointment-list")).content.decode()

    assert theirs.code not in page
    assert "You have no upcoming appointment" in page


@pytest.mark.parametrize("count", [1, 30])
def test_my_appointments_makes_the_same_number_of_queries_however_many(
    client, person, make_slot, make_appointment, count, django_assert_max_num_queries
):
    for n in range(count):
        make_appointment(
            person, make_slot(start=timezone.now() - timedelta(days=n + 1)), status=Appointment.Status.CANCELLED
        )
    make_appointment(person, make_slot())
    client.force_login(person)

    # session, user (roles with it), the fingerprint of the person's rows
    # (vaccination.own_pages), all of the person's appointments
    with django_assert_max_num_queries(4):
        response = client.get(reverse("vaccination:appointment-list"))
    assert response.status_code == 200
    if connection.vendor == "postgresql":  # kept: the fingerprint alone
        with django_assert_max_num_queries(3):
            assert client.get(reverse("vaccination:appointment-list")).status_code == 200


def test_a_person_cancels_their_appointment(client, person, appointment, django_capture_on_commit_callbacks):
    client.force_login(person)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("appointment-cancel", appointment), follow=True)

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert Slot.objects.get(pk=appointment.slot_id).booked_count == 0
    assert "Your appointment is cancelled" in response.content.decode()


def test_an_old_cancel_link_does_nothing_to_a_cancelled_appointment(client, person, appointment):
    client.force_login(person)
    client.post(url("appointment-cancel", appointment))

    response = client.post(url("appointment-cancel", appointment), follow=True)

    assert "can no longer be changed" in response.content.decode()
    assert Slot.objects.get(pk=appointment.slot_id).booked_count == 0


def test_a_cancelled_appointment_cannot_be_rescheduled_from_an_old_link(client, person, appointment, make_slot):
    client.force_login(person)
    client.post(url("appointment-cancel", appointment))
    later = make_slot(start=appointment.slot.start + timedelta(days=1))

    response = client.post(url("appointment-reschedule", appointment), {"slot": later.pk}, follow=True)

    assert "can no longer be changed" in response.content.decode()
    assert Slot.objects.get(pk=later.pk).booked_count == 0


def test_a_person_moves_their_appointment(client, person, appointment, make_slot):
    later = make_slot(start=appointment.slot.start + timedelta(days=1))
    client.force_login(person)

    page = client.get(url("appointment-reschedule", appointment), {"site": later.site_id}).content.decode()
    response = client.post(url("appointment-reschedule", appointment), {"slot": later.pk})

    assert "Move your appointment" in page
    assert response["Location"] == url("appointment-detail", appointment)
    appointment.refresh_from_db()
    assert appointment.slot == later


def test_moving_to_a_time_just_taken_keeps_the_old_one(client, person, appointment, make_slot, make_appointment):
    full = make_slot(start=appointment.slot.start + timedelta(days=1), capacity=1)
    make_appointment(UserFactory(), full)
    client.force_login(person)

    response = client.post(url("appointment-reschedule", appointment), {"slot": full.pk}, follow=True)

    assert "This time was just taken, pick another." in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.slot_id != full.pk


def test_the_calendar_file_downloads(client, person, appointment):
    client.force_login(person)

    response = client.get(url("appointment-calendar", appointment))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert f"vaccination-{appointment.code}.ics" in response["Content-Disposition"]
    assert b"BEGIN:VEVENT" in response.content
