from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from vaccination.models import Appointment, Site, Slot

URL = reverse("vaccination:book")


def test_an_anonymous_visitor_can_browse_clinics_and_free_times(client, slot):
    response = client.get(URL, {"site": slot.site_id})

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Book a vaccination · VaxFleet</title>" in page
    assert "Central Clinic" in page
    assert "09:00" in page
    assert "3 places left" in page


def test_days_without_free_times_are_shown_as_such(client, make_slot, make_appointment):
    full = make_slot(capacity=1)
    make_appointment(UserFactory(), full)

    page = client.get(URL, {"site": full.site_id}).content.decode()

    assert "No times" in page
    assert "No free times on this day" in page


def test_a_full_or_past_slot_is_not_offered(client, make_slot, make_appointment):
    full = make_slot(capacity=1)
    make_appointment(UserFactory(), full)

    response = client.get(URL, {"site": full.site_id, "day": timezone.localtime(full.start, full.site.tzinfo).date()})

    assert response.context["slots"] == []


def test_an_inactive_clinic_is_not_listed(client, slot):
    Site.objects.filter(pk=slot.site_id).update(is_active=False)

    response = client.get(URL, {"site": slot.site_id})

    assert response.context["sites"] == []
    assert response.context["site"] is None


def test_booking_anonymously_holds_the_time_and_going_back_returns_to_the_same_clinic_and_day(client, slot):
    response = client.post(URL, {"slot": slot.pk})

    # The time is held while the visitor confirms an email (test_seat_holds).
    assert response.status_code == 302
    assert response["Location"] == reverse("vaccination:hold")
    assert not Appointment.objects.exists()
    back = client.post(reverse("vaccination:hold-release"))
    day = timezone.localtime(slot.start, slot.site.tzinfo).date()
    assert back["Location"] == f"{URL}?site={slot.site_id}&day={day.isoformat()}"


def test_a_person_books_a_slot_with_one_post(client, person, slot, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(person)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"slot": slot.pk})

    appointment = Appointment.objects.get(person=person)
    assert response.status_code == 302
    assert response["Location"] == reverse("vaccination:appointment-booked", args=[appointment.pk])
    assert len(mailoutbox) == 1


def test_a_slot_taken_meanwhile_says_pick_another(client, person, make_slot, make_appointment):
    slot = make_slot(capacity=1)
    make_appointment(UserFactory(), slot)
    client.force_login(person)

    response = client.post(URL, {"slot": slot.pk}, follow=True)

    assert "This time was just taken, pick another." in response.content.decode()
    assert not Appointment.objects.filter(person=person).exists()


def test_an_unknown_slot_is_refused_with_words(client, person):
    client.force_login(person)

    response = client.post(URL, {"slot": 999999}, follow=True)

    assert "That time is no longer offered" in response.content.decode()


def test_a_person_with_an_appointment_is_offered_to_move_it(client, person, slot, make_slot, make_appointment):
    appointment = make_appointment(person, slot)
    client.force_login(person)

    page = client.get(URL, {"site": slot.site_id}).content.decode()

    assert "You can hold one appointment for each vaccine. You already have:" in page
    assert reverse("vaccination:appointment-reschedule", args=[appointment.pk]) in page


def test_the_page_explains_when_the_next_dose_is_too_soon(client, person, vaccine, make_slot, make_appointment):
    given = make_slot(start=timezone.now() - timedelta(days=3))
    make_appointment(
        person, given, status=Appointment.Status.CHECKED_IN, checked_in_at=given.start, dose_given_at=given.start
    )
    make_slot()
    client.force_login(person)

    page = client.get(URL, {"site": given.site_id}).content.decode()

    assert "Your next dose can be given from" in page


def test_the_booking_page_refuses_other_methods(client):
    assert client.put(URL).status_code == 405


@pytest.mark.parametrize("slots", [1, 40])
def test_the_booking_page_makes_the_same_number_of_queries_however_many_slots(
    client, person, site, vaccine, slots, django_assert_max_num_queries
):
    tomorrow = site.today() + timedelta(days=1)
    for n in range(slots):
        start = datetime.combine(tomorrow, datetime.min.time(), tzinfo=site.tzinfo) + timedelta(minutes=15 * n)
        Slot.objects.create(site=site, vaccine=vaccine, start=start, end=start + timedelta(minutes=15), capacity=2)
    for n in range(3):
        Site.objects.create(name=f"Other {n}", address="-")
    client.force_login(person)

    # session, user (roles with it), vaccines, clinics, their opening days and free seats,
    # the person's doses, the clinic's days, slots
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"site": site.pk, "day": tomorrow.isoformat()})

    assert len(response.context["slots"]) == slots
