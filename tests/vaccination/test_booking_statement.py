"""A booking without a hold or screening answers is written on PostgreSQL as
one statement that is its own transaction (vaccination.services.
_book_in_one_statement): the seat, the appointment, its audit event and the
confirmation owed. These run outside any transaction, as a request does, and
check that it writes all of it or none of it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import sqlprepared
from audit.models import Action, AuditEvent
from outbox.models import Message
from tests.factories import UserFactory
from vaccination import services
from vaccination.models import Appointment, SeatHold, Site, Slot, Vaccine
from vaccination.services import BookingError

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement booking is PostgreSQL's"),
]


@pytest.fixture
def open_slot():
    site = Site.objects.create(name="Statement Clinic", address="1 One Way", time_zone="Europe/Madrid")
    vaccine = Vaccine.objects.create(name="Statement vaccine")
    start = timezone.now() + timedelta(days=1)
    return Slot.objects.create(site=site, vaccine=vaccine, start=start, end=start + timedelta(minutes=15), capacity=2)


def seats(slot):
    return Slot.objects.get(pk=slot.pk).booked_count


def test_a_booking_writes_the_seat_the_appointment_its_audit_event_and_its_confirmation_together(open_slot):
    person = UserFactory()
    assert not connection.in_atomic_block

    with CaptureQueriesContext(connection) as ran:
        appointment = services.book(person=person, slot=open_slot)

    # One statement, prepared on the server once per connection: no BEGIN, no COMMIT around it.
    writes = [sqlprepared.statement_sql(q["sql"]) for q in ran.captured_queries if q["sql"].startswith("EXECUTE")]
    assert [sql.split(" AS (")[0] for sql in writes if sql.startswith("WITH")] == ["WITH seat"]

    stored = Appointment.objects.get(pk=appointment.pk)
    assert (stored.person, stored.slot, stored.code, stored.status) == (
        person,
        open_slot,
        appointment.code,
        Appointment.Status.BOOKED,
    )
    assert seats(open_slot) == 1
    event = AuditEvent.objects.get(action=Action.BOOK)
    assert (event.target_id, event.actor, event.data["code"]) == (str(appointment.pk), person, appointment.code)
    message = Message.objects.get(kind="appointment_booked")
    assert message.to == person.email
    assert message.data == {"appointment": appointment.pk, "sequence": appointment.sequence}
    assert message.key == f"appointment_booked:{appointment.pk}:{appointment.sequence}"


def test_a_full_slot_writes_nothing(open_slot):
    for _ in range(2):
        services.book(person=UserFactory(), slot=open_slot)
    late = UserFactory()

    with pytest.raises(BookingError) as refused:
        services.book(person=late, slot=open_slot)

    assert refused.value.code == "slot_full"
    assert seats(open_slot) == 2
    assert not Appointment.objects.filter(person=late).exists()
    assert AuditEvent.objects.filter(action=Action.BOOK).count() == Message.objects.count() == 2


def test_a_seat_kept_for_a_hold_that_ran_out_is_given_back_and_booked(open_slot):
    Slot.objects.filter(pk=open_slot.pk).update(booked_count=2)
    for _ in range(2):
        SeatHold.objects.create(slot=open_slot, expires_at=timezone.now() + timedelta(minutes=5))
    SeatHold.objects.update(
        created_at=timezone.now() - timedelta(minutes=10), expires_at=timezone.now() - timedelta(minutes=1)
    )

    appointment = services.book(person=UserFactory(), slot=open_slot)

    assert appointment.pk is not None
    assert seats(open_slot) == 1  # two given back, one taken
    assert not SeatHold.objects.exists()


def test_a_second_tab_that_lost_the_race_leaves_no_seat_taken_and_nothing_written(open_slot):
    person = UserFactory()
    first = services.book(person=person, slot=open_slot)

    with pytest.raises(BookingError) as refused:
        # The second tab read the person's bookings before the first one was written.
        services.book(person=person, slot=open_slot, bookings=[])

    assert refused.value.code == "already_booked"
    assert seats(open_slot) == 1  # the statement's seat was undone with it
    assert list(Appointment.objects.filter(person=person)) == [first]
    assert AuditEvent.objects.filter(action=Action.BOOK).count() == Message.objects.count() == 1


def test_a_code_drawn_twice_is_drawn_again(open_slot, monkeypatch):
    taken = services.book(person=UserFactory(), slot=open_slot)
    codes = iter([taken.code, "NEWCDEX2"])
    monkeypatch.setattr(services, "new_confirmation_code", lambda: next(codes))

    appointment = services.book(person=UserFactory(), slot=open_slot)

    assert Appointment.objects.get(pk=appointment.pk).code == "NEWCDEX2"
    assert seats(open_slot) == 2  # one seat for the clash's undone try, none extra
    assert Message.objects.filter(data__appointment=appointment.pk).count() == 1


def test_a_walk_in_without_an_address_is_booked_with_its_audit_event_and_owed_nothing(open_slot):
    walk_in = UserFactory(email="person-0000@no-mailbox.invalid")

    appointment = services.book(person=walk_in, slot=open_slot)

    assert AuditEvent.objects.get(action=Action.BOOK).target_id == str(appointment.pk)
    assert not Message.objects.exists()


def test_only_the_fields_that_name_the_new_appointment_get_its_id(open_slot):
    """The booking's audit row and message hold a stand-in number where the
    new id goes: anything else that happens to hold those digits stays as it is."""
    digits = str(services.NEW_APPOINTMENT_ID)
    person = UserFactory(email=f"x{digits}@example.org", first_name=digits)

    appointment = services.book(person=person, slot=open_slot)

    event = AuditEvent.objects.get(action=Action.BOOK)
    assert event.target_id == str(appointment.pk)
    assert digits in event.actor_label
    assert Message.objects.get().to == person.email
