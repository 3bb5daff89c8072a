"""The two busiest POSTs, the desk's check-in and a booking, in a bounded
number of database round trips (issue 15, item 6): the audit row, the desk
log and the answer to the desk travel together."""

import zoneinfo
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from audit.models import AuditEvent
from outbox.models import Message
from vaccination.models import Appointment, CheckInLog

pytestmark = pytest.mark.django_db

DESK = reverse("clinic:checkin")
BOOK = reverse("vaccination:book")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Madrid"))  # a Wednesday


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_check_in_post_takes_at_most_n_queries(
    client, clinic_staff, site, person, make_slot, make_appointment, django_assert_max_num_queries
):
    site.staff.add(clinic_staff)
    person.date_of_birth = date(1950, 3, 14)
    person.save()
    appointment = make_appointment(person, make_slot(NOW.replace(hour=10, minute=30), capacity=50))
    client.force_login(clinic_staff)
    client.get(DESK)  # the desk's clinic is remembered in the session, as at a real desk

    with django_assert_max_num_queries(CHECK_IN_QUERIES):
        response = client.post(DESK, {"code": appointment.code, "attempt": "a" * 32})

    assert response.status_code == 200
    assert 'data-reason="checked_in"' in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CHECKED_IN
    assert CheckInLog.objects.filter(appointment=appointment, reason="checked_in").count() == 1
    assert AuditEvent.objects.filter(action="check_in", target_id=str(appointment.pk)).count() == 1


def test_a_booking_post_takes_at_most_n_queries(client, person, make_slot, django_assert_max_num_queries):
    slot = make_slot(NOW + timedelta(days=1), capacity=5)
    client.force_login(person)

    with django_assert_max_num_queries(BOOK_QUERIES):
        response = client.post(BOOK, {"slot": slot.pk})

    assert response.status_code == 302
    appointment = Appointment.objects.get(person=person)
    assert Message.objects.filter(data__appointment=appointment.pk, kind="appointment_booked").count() == 1
    assert AuditEvent.objects.filter(action="book", target_id=str(appointment.pk)).count() == 1


# The session with its user (one query: accounts.sessions), the desk's clinics with the
# appointment scanned (one query: sqlprepared.Together), the UPDATE ... RETURNING with its audit
# and log INSERTs (one statement, its own transaction; inside the test's transaction it is under a
# savepoint: two more here, none in production), then the page: screening answers with the desk's
# recent scans (one query: sqlprepared.Together), whether the vaccine has questions, whether it
# has lots. (17 before: a look-up of the form's token, the audit INSERT, the log INSERT, the
# appointment read again and a savepoint for the log; 10 before the clinics and the appointment,
# and the answers and the scans, were read together.) On SQLite (make test's default) the audit
# row and the log row are INSERTs of their own: two more. Whether the vaccine has lots is kept in
# the page cache once a desk asked (stock.hooks).
CHECK_IN_QUERIES = 8 if connection.vendor == "postgresql" else 10
# The session with its user, the slot (the form's) with the person's bookings and doses (one
# query: vaccination.models.SLOT_AND_BOOKINGS), then one statement that is its own transaction:
# the seat, the appointment, its audit row and the confirmation owed (inside the test's
# transaction it is under a savepoint: two more here, none in production, where the booking's
# transaction cost a BEGIN, three statements and a COMMIT). On SQLite the booking is a
# transaction of its own with the audit row an INSERT of its own. (The slot and the bookings
# were two queries before.)
BOOK_QUERIES = 5 if connection.vendor == "postgresql" else 8
