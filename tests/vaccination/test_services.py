from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from outbox.models import Message
from tests.factories import UserFactory
from vaccination.models import Appointment, Slot
from vaccination.services import BookingError, book, cancel, reschedule


def seats_taken(slot):
    slot.refresh_from_db()
    return slot.booked_count


def test_booking_takes_a_seat_and_gives_a_code(person, slot, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(person=person, slot=slot)

    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.dose_number == 1
    assert len(appointment.code) == 8
    assert seats_taken(slot) == 1
    assert len(mail.outbox) == 1
    assert Message.objects.get().status == Message.Status.SENT


def test_the_confirmation_email_is_sent_only_after_the_booking_commits(
    person, slot, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        book(person=person, slot=slot)
        assert mail.outbox == []

    assert [message.to for message in mail.outbox] == [[person.email]]


def test_booking_a_full_slot_is_refused_as_slot_full(person, make_slot, make_appointment):
    slot = make_slot(capacity=1)
    make_appointment(UserFactory(), slot)

    with pytest.raises(BookingError) as error:
        book(person=person, slot=slot)

    assert error.value.code == "slot_full"
    assert seats_taken(slot) == 1
    assert not Appointment.objects.filter(person=person).exists()


def test_booking_a_slot_that_started_is_refused(person, make_slot):
    slot = make_slot(start=timezone.now() - timedelta(minutes=5))

    with pytest.raises(BookingError, match="slot_started"):
        book(person=person, slot=slot)


def test_booking_at_a_closed_clinic_is_refused(person, slot):
    slot.site.is_active = False
    slot.site.save()

    with pytest.raises(BookingError, match="site_closed"):
        book(person=person, slot=slot)


def test_a_person_cannot_book_a_second_appointment(person, slot, make_slot):
    book(person=person, slot=slot)

    with pytest.raises(BookingError, match="already_booked"):
        book(person=person, slot=make_slot(start=slot.start + timedelta(hours=1)))

    assert seats_taken(slot) == 1


def test_the_second_dose_waits_for_the_first_to_be_given_and_the_interval(person, vaccine, make_slot, make_appointment):
    first_slot = make_slot(start=timezone.now() - timedelta(days=10))
    make_appointment(
        person,
        first_slot,
        status=Appointment.Status.CHECKED_IN,
        checked_in_at=first_slot.start,
        dose_given_at=first_slot.start,
    )
    too_early = make_slot(start=first_slot.start + timedelta(days=vaccine.min_days_between_doses - 1))
    in_time = make_slot(start=first_slot.start + timedelta(days=vaccine.min_days_between_doses))

    with pytest.raises(BookingError) as error:
        book(person=person, slot=too_early)
    appointment = book(person=person, slot=in_time)

    assert error.value.code == "too_soon"
    assert error.value.earliest == first_slot.local_start.date() + timedelta(days=vaccine.min_days_between_doses)
    assert appointment.dose_number == 2


def test_a_checked_in_visit_without_a_recorded_dose_does_not_count_as_a_dose(person, make_slot, make_appointment):
    earlier = make_slot(start=timezone.now() - timedelta(days=30))
    make_appointment(person, earlier, status=Appointment.Status.CHECKED_IN, checked_in_at=earlier.start)

    assert book(person=person, slot=make_slot()).dose_number == 1


def test_nothing_is_bookable_once_every_dose_was_given(person, vaccine, make_slot, make_appointment):
    for dose in (1, 2):
        earlier = make_slot(start=timezone.now() - timedelta(days=100 - 40 * dose))
        make_appointment(
            person,
            earlier,
            dose_number=dose,
            status=Appointment.Status.CHECKED_IN,
            checked_in_at=earlier.start,
            dose_given_at=earlier.start,
        )

    with pytest.raises(BookingError, match="course_complete"):
        book(person=person, slot=make_slot())


def test_cancelling_frees_the_seat_and_bumps_the_calendar_sequence(person, slot, django_capture_on_commit_callbacks):
    appointment = book(person=person, slot=slot)

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = cancel(appointment=appointment, by=person)

    assert cancelled.status == Appointment.Status.CANCELLED
    assert cancelled.cancelled_at is not None
    assert cancelled.sequence == 1
    assert seats_taken(slot) == 0
    assert "Cancelled" in mail.outbox[-1].subject


def test_a_cancelled_appointment_cannot_be_cancelled_again(person, slot):
    appointment = book(person=person, slot=slot)
    cancel(appointment=appointment, by=person)

    with pytest.raises(BookingError, match="not_changeable"):
        cancel(appointment=appointment, by=person)

    assert seats_taken(slot) == 0


def test_an_appointment_that_started_cannot_be_cancelled(person, make_slot, make_appointment):
    started = make_slot(start=timezone.now() - timedelta(minutes=1))
    appointment = make_appointment(person, started)

    with pytest.raises(BookingError, match="not_changeable"):
        cancel(appointment=appointment, by=person)


def test_rescheduling_moves_the_seat_and_keeps_the_code(person, slot, make_slot, django_capture_on_commit_callbacks):
    appointment = book(person=person, slot=slot)
    later = make_slot(start=slot.start + timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        moved = reschedule(appointment=appointment, slot=later)

    assert moved.slot == later
    assert moved.code == appointment.code
    assert moved.sequence == 1
    assert seats_taken(slot) == 0
    assert seats_taken(later) == 1
    assert "moved" in mail.outbox[-1].subject


def test_rescheduling_to_a_full_slot_keeps_the_old_seat(person, slot, make_slot, make_appointment):
    appointment = book(person=person, slot=slot)
    full = make_slot(start=slot.start + timedelta(days=1), capacity=1)
    make_appointment(UserFactory(), full)

    with pytest.raises(BookingError, match="slot_full"):
        reschedule(appointment=appointment, slot=full)

    appointment.refresh_from_db()
    assert appointment.slot == slot
    assert appointment.sequence == 0
    assert seats_taken(slot) == 1
    assert seats_taken(full) == 1


def test_rescheduling_keeps_the_vaccine(person, slot, make_slot):
    from vaccination.models import Vaccine

    flu = Vaccine.objects.create(name="Flu")
    appointment = book(person=person, slot=slot)

    with pytest.raises(BookingError, match="other_vaccine"):
        reschedule(appointment=appointment, slot=make_slot(slot_vaccine=flu))


def test_a_cancelled_appointment_cannot_be_rescheduled(person, slot, make_slot):
    appointment = book(person=person, slot=slot)
    cancel(appointment=appointment, by=person)

    with pytest.raises(BookingError, match="not_changeable"):
        reschedule(appointment=appointment, slot=make_slot(start=slot.start + timedelta(hours=2)))


def test_a_mail_server_that_is_down_never_loses_a_booking(
    person, slot, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "tests.vaccination.broken_mail.EmailBackend"

    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(person=person, slot=slot)

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED
    owed = Message.objects.get(kind="appointment_booked")
    assert (owed.status, owed.to) == (Message.Status.PENDING, person.email)
    assert Slot.objects.get(pk=slot.pk).booked_count == 1
    assert "will retry" in caplog.text


def test_a_confirmation_code_already_taken_is_drawn_again(person, slot, make_appointment, monkeypatch):
    taken = make_appointment(UserFactory(), slot).code
    drawn = iter([taken, "FRESHCDE"])
    monkeypatch.setattr("vaccination.services.new_confirmation_code", lambda: next(drawn))

    appointment = book(person=person, slot=slot)

    assert appointment.code == "FRESHCDE"
    assert Appointment.objects.get(pk=appointment.pk).code == "FRESHCDE"
    assert seats_taken(slot) == 2  # the other booking's seat, then this one's, once


def test_a_code_that_cannot_be_drawn_free_books_nothing_and_keeps_the_seat(person, slot, make_appointment, monkeypatch):
    taken = make_appointment(UserFactory(), slot).code
    monkeypatch.setattr("vaccination.services.new_confirmation_code", lambda: taken)

    with pytest.raises(BookingError, match="already_booked"):
        book(person=person, slot=slot)

    assert seats_taken(slot) == 1
    assert not Appointment.objects.filter(person=person).exists()
    assert not AuditEvent.objects.filter(action="book").exists()


def test_a_booking_without_an_address_to_write_to_is_audited_all_the_same(slot):
    walk_in = UserFactory(email="walk-in-1@example.invalid")

    appointment = book(person=walk_in, slot=slot)

    assert not Message.objects.exists()
    event = AuditEvent.objects.get(action="book")
    assert (event.target_id, event.actor_id, event.data["code"]) == (str(appointment.pk), walk_in.pk, appointment.code)


def test_a_booking_writes_its_confirmation_and_its_audit_event_once(person, slot):
    appointment = book(person=person, slot=slot)

    message = Message.objects.get()
    assert (message.kind, message.to, message.data) == (
        "appointment_booked",
        person.email,
        {"appointment": appointment.pk, "sequence": 0},
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.target_type, event.target_id, event.actor_id) == (
        "book",
        "vaccination.appointment",
        str(appointment.pk),
        person.pk,
    )
    assert event.target_label == str(appointment)
    assert event.data == {
        "code": appointment.code,
        "site": slot.site.name,
        "vaccine": slot.vaccine.name,
        "start": slot.start.isoformat(),
        "dose": 1,
    }


def test_the_last_dose_of_each_vaccine_is_the_highest_whatever_order_the_doses_come_in():
    """The booking reads a person's doses in no order (one round trip with the slot)."""
    from types import SimpleNamespace

    from vaccination.services import latest_doses

    now = timezone.now()

    def given(vaccine_id, number, days_ago):
        slot = SimpleNamespace(vaccine_id=vaccine_id)
        return SimpleNamespace(slot=slot, dose_number=number, dose_given_at=now - timedelta(days=days_ago))

    first, second, other = given(1, 1, 60), given(1, 2, 30), given(2, 1, 10)
    not_given = SimpleNamespace(slot=SimpleNamespace(vaccine_id=1), dose_number=3, dose_given_at=None)

    for doses in ([first, second, other, not_given], [not_given, other, second, first]):
        assert latest_doses(doses) == {1: second, 2: other}
