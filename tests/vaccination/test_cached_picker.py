"""The booking picker is rendered once and served from the shared cache
(pagecache.fragments) until a seat is taken or freed or a slot changes: what
people see must never be a stale copy, nor another person's."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tests.pages import queries_of
from vaccination import services
from vaccination.models import SEATS_BUMP_SECONDS, Appointment, Slot
from vaccination.views import PICKER_SECONDS

pytestmark = pytest.mark.django_db
BOOK = reverse("vaccination:book")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """A booking's page-cache bumps go out when it commits (the test's own
    transaction never does): run them as its commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def day_of(slot):
    return timezone.localtime(slot.start, slot.site.tzinfo).date().isoformat()


def picker(client, slot):
    return client.get(BOOK, {"site": slot.site_id, "day": day_of(slot)}).content.decode()


def test_a_seat_taken_by_someone_else_shows_at_once(client, person, slot, committed):
    client.force_login(person)
    assert "3 places left" in picker(client, slot)

    with committed():
        services.book(person=UserFactory(), slot=slot)

    assert "2 places left" in picker(client, slot)


def test_a_cancelled_seat_shows_at_once(client, person, slot, committed):
    with committed():
        other = services.book(person=UserFactory(), slot=slot)
    client.force_login(person)
    assert "2 places left" in picker(client, slot)

    with time_machine.travel(timezone.now() + timedelta(seconds=SEATS_BUMP_SECONDS + 1)):
        with committed():
            services.cancel(appointment=other, by=other.person)

        assert "3 places left" in picker(client, slot)


def test_during_a_burst_of_bookings_the_seats_shown_are_at_most_a_few_seconds_old(client, person, slot, committed):
    """On the day bookings open, a bump on every booking would make every
    view a miss: seat changes bump at most every SEATS_BUMP_SECONDS, and a
    copy lives at most PICKER_SECONDS."""
    with committed():
        services.book(person=UserFactory(), slot=slot)
    client.force_login(person)
    assert "2 places left" in picker(client, slot)

    with committed():
        services.book(person=UserFactory(), slot=slot)  # in the same burst

    assert "2 places left" in picker(client, slot)
    with time_machine.travel(timezone.now() + timedelta(seconds=PICKER_SECONDS + 1)):
        assert "1 place left" in picker(client, slot)


def test_a_new_slot_shows_at_once(client, person, slot):
    client.force_login(person)
    assert "10:00" not in picker(client, slot)

    Slot.objects.create(
        site=slot.site,
        vaccine=slot.vaccine,
        start=slot.start + timedelta(hours=1),
        end=slot.end + timedelta(hours=1),
        capacity=5,
    )

    assert "10:00" in picker(client, slot)


def test_people_with_different_dose_histories_each_see_their_own_dose(
    client, person, other_person, make_slot, make_appointment
):
    later = make_slot(start=timezone.now() + timedelta(days=2))
    given = make_slot(start=timezone.now() - timedelta(days=40))
    make_appointment(
        person, given, status=Appointment.Status.CHECKED_IN, checked_in_at=given.start, dose_given_at=given.start
    )
    client.force_login(other_person)
    assert "dose 1" in picker(client, later)

    client.force_login(person)
    page = picker(client, later)
    assert "dose 2" in page
    assert "dose 1" not in page


def test_a_person_books_from_a_picker_that_another_visit_put_in_the_cache(person, other_person, slot):
    """The cached HTML holds no CSRF token: the slot buttons submit a form
    outside it that carries the visitor's own."""
    first = Client(enforce_csrf_checks=True)
    first.force_login(other_person)
    picker(first, slot)

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(person)
    page = picker(browser, slot)
    assert f'form="slot-form" name="slot" value="{slot.pk}"' in page
    # The slot buttons lead to the check page, whose form carries the visitor's token.
    check = browser.get(reverse("vaccination:book-check"), {"slot": slot.pk}).content.decode()
    token = re.search(r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"', check)

    response = browser.post(BOOK, {"slot": slot.pk, "csrfmiddlewaretoken": token.group(1)})

    assert response.status_code == 302
    assert Appointment.objects.filter(person=person, slot=slot).exists()


def test_someone_holding_an_appointment_still_gets_book_buttons_for_another_vaccine(client, person, slot):
    # One booked appointment per vaccine: the buttons stay (flu may be booked
    # beside COVID); the check page refuses a second time of the vaccine held.
    services.book(person=person, slot=slot)

    client.force_login(person)
    assert f'name="slot" value="{slot.pk}"' in picker(client, slot)


def test_the_picker_served_from_the_cache_costs_fewer_queries(client, person, slot):
    client.force_login(person)
    first, _ = queries_of(client, BOOK, {"site": slot.site_id})
    again, _ = queries_of(client, BOOK, {"site": slot.site_id})

    assert again < first
