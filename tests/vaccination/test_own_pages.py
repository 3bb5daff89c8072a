"""A person's own appointment pages are kept rendered under a fingerprint of
every row they show (vaccination.own_pages, issue 21). Kept or not, each
page must show the person's data as it is now, whatever changed it, to them
alone, with their own CSRF token."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from pagecache import fragments
from tests.factories import UserFactory
from vaccination import own_pages, services
from vaccination.models import Appointment, ScreeningQuestion, Site

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="pages are kept only on PostgreSQL (row versions), not on SQLite"
    ),
]

LIST = reverse("vaccination:appointment-list")


def detail(appointment):
    return reverse("vaccination:appointment-detail", args=[appointment.pk])


def not_drawn_again():
    return mock.patch("vaccination.own_pages.render_to_string", side_effect=AssertionError("drawn again"))


def test_a_page_seen_again_unchanged_is_not_drawn_again(client, person, slot, make_appointment):
    appointment = make_appointment(person, slot)
    client.force_login(person)
    first_list = client.get(LIST)
    client.get(detail(appointment))

    with not_drawn_again():
        again_list, again_detail = client.get(LIST), client.get(detail(appointment))

    assert again_list.status_code == again_detail.status_code == 200
    assert appointment.code in again_list.content.decode()
    assert f"Appointment {appointment.code}" in again_detail.content.decode()
    assert "<svg" in again_detail.content.decode()
    assert len(again_list.content) == len(first_list.content)


def test_a_change_made_any_way_shows_at_once(client, person, slot, make_appointment):
    appointment = make_appointment(person, slot)
    client.force_login(person)
    client.get(LIST), client.get(detail(appointment))

    # A bulk update (as an import or the admin's action would make): no signal, no save().
    Site.objects.filter(pk=slot.site_id).update(name="Riverside Clinic")
    assert "Riverside Clinic" in client.get(LIST).content.decode()
    assert "Riverside Clinic" in client.get(detail(appointment)).content.decode()

    # Raw SQL on the appointment itself.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Appointment._meta.db_table} SET checked_in_at = %s, status = %s WHERE id = %s",  # noqa: S608
            [timezone.now(), Appointment.Status.CHECKED_IN, appointment.pk],
        )
    page = client.get(detail(appointment)).content.decode()
    assert "Checked in at" in page
    assert "Cancel this appointment" not in page


def test_cancelling_shows_on_both_pages_at_once(client, person, slot, make_appointment):
    appointment = make_appointment(person, slot)
    client.force_login(person)
    assert "Cancel this appointment" in client.get(detail(appointment)).content.decode()
    client.get(LIST)

    services.cancel(appointment=appointment, by=person)

    assert "Cancel this appointment" not in client.get(detail(appointment)).content.decode()
    upcoming = client.get(LIST).content.decode().split('id="past-heading"', 1)[0]
    assert appointment.code not in upcoming


def test_a_question_added_to_the_vaccine_shows_its_link(client, person, slot, make_appointment):
    appointment = make_appointment(person, slot)
    client.force_login(person)
    assert "Answer the questions" not in client.get(detail(appointment)).content.decode()

    ScreeningQuestion.objects.create(vaccine=slot.vaccine, text="Are you allergic to eggs?")

    assert "Answer the questions" in client.get(detail(appointment)).content.decode()


def test_the_clock_moves_an_appointment_to_the_past_without_any_write(client, person, make_slot, make_appointment):
    start = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    appointment = make_appointment(person, make_slot(start=start))
    client.force_login(person)
    assert "Cancel this appointment" in client.get(detail(appointment)).content.decode()
    assert "Show my code" in client.get(LIST).content.decode()

    # It has started (no more moving or cancelling), then it is over and missed.
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        page = client.get(detail(appointment)).content.decode()
        assert "Cancel this appointment" not in page
        assert "<svg" in page  # still upcoming: the code is shown until the slot ends
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        page = client.get(detail(appointment)).content.decode()
        assert "<svg" not in page
        assert "No-show" in page
        assert "Show my code" not in client.get(LIST).content.decode()


def test_nobody_else_is_shown_a_kept_page(client, person, other_person, slot, make_appointment):
    mine = make_appointment(person, slot)
    client.force_login(person)
    client.get(detail(mine)), client.get(LIST)

    other = Client()
    other.force_login(other_person)
    assert other.get(detail(mine)).status_code == 404
    assert mine.code not in other.get(LIST).content.decode()


def test_each_reader_cancels_with_their_own_csrf_token(person, slot, make_appointment):
    appointment = make_appointment(person, slot)
    tokens = []
    for _ in range(2):  # the second reader (another device of the person) gets the kept page
        device = Client(enforce_csrf_checks=True)
        device.force_login(person)
        html = device.get(detail(appointment)).content.decode()
        form = html.split(reverse("vaccination:appointment-cancel", args=[appointment.pk]), 1)[1]
        tokens.append((device, form.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]))

    (_first, first_token), (second, second_token) = tokens
    assert first_token != second_token
    assert fragments.CSRF_TOKEN not in first_token + second_token
    answer = second.post(
        reverse("vaccination:appointment-cancel", args=[appointment.pk]), {"csrfmiddlewaretoken": second_token}
    )
    assert answer.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED


def test_a_carer_sees_the_appointments_of_the_people_they_care_for_as_they_change(
    client, person, slot, make_appointment
):
    child = UserFactory(first_name="Kim", last_name="Child", carer=person, email="")
    appointment = make_appointment(child, slot)
    client.force_login(person)
    assert "Kim Child" in client.get(LIST).content.decode()

    User.objects.filter(pk=child.pk).update(first_name="Kimberly")
    assert "Kimberly Child" in client.get(LIST).content.decode()
    assert "For Kimberly Child" in client.get(detail(appointment)).content.decode()

    User.objects.filter(pk=child.pk).update(carer=None)
    assert appointment.code not in client.get(LIST).content.decode()
    assert client.get(detail(appointment)).status_code == 404


def test_the_fingerprint_follows_exactly_the_appointments_the_pages_may_show(
    person, other_person, slot, make_slot, make_appointment
):
    child = UserFactory(carer=person, email="")
    mine = make_appointment(person, slot)
    childs = make_appointment(child, make_slot(start=timezone.now() + timedelta(days=3)))
    theirs = make_appointment(other_person, slot)
    assert own_pages.fingerprint(person) != own_pages.fingerprint(other_person)

    for appointment, shown in ((mine, True), (childs, True), (theirs, False)):
        before = own_pages.fingerprint(person)
        Appointment.objects.filter(pk=appointment.pk).update(dose_number=5)
        assert (own_pages.fingerprint(person) != before) is shown
    assert set(Appointment.objects.of(person)) == {mine, childs}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_the_fingerprint_function_the_pages_are_drawn_fresh_not_500(
    client, person, make_slot, make_appointment
):
    from importlib import import_module

    migration = import_module("vaccination.migrations.0016_own_pages_fingerprint")
    appointment = make_appointment(person, make_slot())
    client.force_login(person)
    with connection.cursor() as cursor:
        cursor.execute(migration.DROP)  # a database restored without it
    try:
        assert client.get(LIST).status_code == 200
        page = client.get(detail(appointment))
        assert page.status_code == 200
        assert appointment.code in page.content.decode()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(migration.CREATE)
