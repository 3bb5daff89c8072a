"""Marking a no-show by hand and undoing it (services.mark_no_show): the
rules, the audit log, the seats, the day board."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
import time_machine

from audit.models import Action, AuditEvent
from pagecache import fragments
from tests.factories import UserFactory
from vaccination import services
from vaccination.models import Appointment, day_board
from vaccination.services import BookingError

pytestmark = pytest.mark.django_db

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=MADRID)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def started(person, make_slot, make_appointment):
    """Booked for 9:45 today: the slot has started, the person is not here."""
    return make_appointment(person, make_slot(NOW - timedelta(minutes=15)))


def test_a_started_booking_is_marked_a_no_show_and_keeps_its_seat(started, clinic_staff):
    seats_before = started.slot.seats_left

    services.mark_no_show(appointment=started, by=clinic_staff)

    started.refresh_from_db()
    started.slot.refresh_from_db()
    assert started.status == Appointment.Status.NO_SHOW
    assert started.slot.seats_left == seats_before


def test_marking_a_no_show_is_audited_with_who_did_it(started, clinic_staff):
    services.mark_no_show(appointment=started, by=clinic_staff)

    event = AuditEvent.objects.get(action=Action.NO_SHOW)
    assert event.actor == clinic_staff
    assert event.target_id == str(started.pk)
    assert event.data["code"] == started.code


def test_undo_books_it_again_audited_and_the_seat_count_does_not_move(started, clinic_staff):
    services.mark_no_show(appointment=started, by=clinic_staff)
    seats = started.slot.seats_left

    services.mark_no_show(appointment=started, by=clinic_staff, undo=True)

    started.refresh_from_db()
    started.slot.refresh_from_db()
    assert started.status == Appointment.Status.BOOKED
    assert started.slot.seats_left == seats
    assert AuditEvent.objects.filter(action=Action.UNDO_NO_SHOW, actor=clinic_staff).count() == 1


def test_both_ways_mark_the_day_board_changed(started, clinic_staff):
    board = day_board(started.slot.site_id)
    first = fragments.generations(board)

    services.mark_no_show(appointment=started, by=clinic_staff)
    marked = fragments.generations(board)
    services.mark_no_show(appointment=started, by=clinic_staff, undo=True)

    assert first != marked != fragments.generations(board)


def test_a_booking_whose_time_has_not_come_cannot_be_marked(person, make_slot, make_appointment, clinic_staff):
    later = make_appointment(person, make_slot(NOW + timedelta(minutes=30)))

    with pytest.raises(BookingError) as refused:
        services.mark_no_show(appointment=later, by=clinic_staff)

    assert refused.value.code == "not_started"
    later.refresh_from_db()
    assert later.status == Appointment.Status.BOOKED
    assert not AuditEvent.objects.filter(action=Action.NO_SHOW).exists()


@pytest.mark.parametrize("status", ["checked_in", "cancelled", "no_show"])
def test_only_a_booked_appointment_can_be_marked(status, person, make_slot, make_appointment, clinic_staff):
    extra = {"checked_in_at": NOW} if status == "checked_in" else {}
    appointment = make_appointment(person, make_slot(NOW - timedelta(minutes=15)), status=status, **extra)

    with pytest.raises(BookingError) as refused:
        services.mark_no_show(appointment=appointment, by=clinic_staff)

    assert refused.value.code == "not_booked"


def test_undo_of_something_that_is_not_a_no_show_is_refused(started, clinic_staff):
    with pytest.raises(BookingError) as refused:
        services.mark_no_show(appointment=started, by=clinic_staff, undo=True)

    assert refused.value.code == "not_no_show"


def test_undo_is_refused_once_the_desk_could_no_longer_check_the_person_in(started, clinic_staff, frozen):
    services.mark_no_show(appointment=started, by=clinic_staff)
    frozen.move_to(started.slot.end + timedelta(hours=1))

    with pytest.raises(BookingError) as refused:
        services.mark_no_show(appointment=started, by=clinic_staff, undo=True)

    assert refused.value.code == "undo_too_late"
    started.refresh_from_db()
    assert started.status == Appointment.Status.NO_SHOW


def test_undo_is_refused_when_the_person_booked_another_time_since(started, clinic_staff, make_slot):
    services.mark_no_show(appointment=started, by=clinic_staff)
    services.book(person=started.person, slot=make_slot(NOW + timedelta(days=1)))

    with pytest.raises(BookingError) as refused:
        services.mark_no_show(appointment=started, by=clinic_staff, undo=True)

    assert refused.value.code == "rebooked"
    started.refresh_from_db()
    assert started.status == Appointment.Status.NO_SHOW


def test_a_desk_check_in_a_moment_before_wins_over_the_no_show(started, clinic_staff, monkeypatch):
    """The status is re-checked in the UPDATE: a check-in between the read and the write stays."""
    real_select_related = Appointment.objects.select_related

    class ReadThenCheckIn:
        def __init__(self, *fields):
            self.queryset = real_select_related(*fields)

        def get(self, **lookup):
            read = self.queryset.get(**lookup)  # still booked when read
            Appointment.objects.filter(pk=started.pk).update(status=Appointment.Status.CHECKED_IN, checked_in_at=NOW)
            return read

    check_in_meanwhile = ReadThenCheckIn
    monkeypatch.setattr(Appointment.objects, "select_related", check_in_meanwhile)

    with pytest.raises(BookingError) as refused:
        services.mark_no_show(appointment=started, by=UserFactory())

    assert refused.value.code == "not_booked"
