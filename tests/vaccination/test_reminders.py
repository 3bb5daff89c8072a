"""Reminders and notices go out exactly once (issue 23, cases 6 to 8): owed
through the outbox, claimed before sending, re-checked against the
appointment's revision, and retried when a claim is never confirmed."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

import outbox
from outbox.models import Message
from tests.factories import UserFactory
from vaccination.management.commands.send_appointment_reminders import claim_reminder
from vaccination.models import Appointment
from vaccination.services import book, reschedule

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises writers, so it cannot show a race (set DATABASE_URL)",
)


@pytest.fixture
def soon(make_slot):
    return make_slot(start=timezone.now() + timedelta(hours=3))


def remind(capture):
    with capture(execute=True):
        call_command("send_appointment_reminders")


def test_reminders_go_out_once_for_appointments_in_the_next_day(
    person, soon, make_slot, make_appointment, mailoutbox, django_capture_on_commit_callbacks
):
    reminded = make_appointment(person, soon)
    make_appointment(UserFactory(), make_slot(start=timezone.now() + timedelta(days=3)))
    make_appointment(UserFactory(), soon, status=Appointment.Status.CANCELLED)

    remind(django_capture_on_commit_callbacks)
    remind(django_capture_on_commit_callbacks)

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [person.email]
    assert mailoutbox[0].subject.startswith("[VaxFleet] Reminder")
    reminded.refresh_from_db()
    assert reminded.reminder_sent_at is not None


def test_a_failed_reminder_is_retried_by_the_outbox_sweep(
    person, soon, make_appointment, settings, mailoutbox, django_capture_on_commit_callbacks
):
    make_appointment(person, soon)
    settings.EMAIL_BACKEND = "tests.vaccination.broken_mail.EmailBackend"
    remind(django_capture_on_commit_callbacks)
    owed = Message.objects.get(kind="appointment_reminder")
    assert (owed.status, owed.attempts) == (Message.Status.PENDING, 1)
    assert "ConnectionRefusedError" in owed.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert outbox.sweep() == 1

    assert len(mailoutbox) == 1
    assert Message.objects.get(pk=owed.pk).status == Message.Status.SENT


def test_23_6_two_reminder_runs_owe_each_reminder_once(person, soon, make_appointment):
    appointment = make_appointment(person, soon)
    loaded_by_first_run = Appointment.objects.get(pk=appointment.pk)
    loaded_by_second_run = Appointment.objects.get(pk=appointment.pk)
    now = timezone.now()

    assert claim_reminder(loaded_by_first_run, now) is True
    assert claim_reminder(loaded_by_second_run, now) is False
    assert Message.objects.filter(kind="appointment_reminder").count() == 1


def test_23_7_an_appointment_moved_after_a_run_read_it_is_not_reminded_with_the_old_time(
    person, soon, make_slot, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(person=person, slot=soon)
    read_by_the_run = Appointment.objects.get(pk=appointment.pk)
    later = make_slot(start=soon.start + timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        reschedule(appointment=appointment, slot=later)

    assert claim_reminder(read_by_the_run, timezone.now()) is False  # the run's copy is a revision behind
    remind(django_capture_on_commit_callbacks)

    reminders = [m for m in mailoutbox if "Reminder" in m.subject]
    assert len(reminders) == 1
    assert timezone.localtime(later.start, later.site.tzinfo).strftime("%H:%M") in reminders[0].body
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is not None


def test_23_7_a_queued_reminder_for_the_old_time_is_skipped_and_the_new_time_reminded(
    person, soon, make_slot, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(person=person, slot=soon)
    call_command("send_appointment_reminders")  # owed, but its hand-off has not run yet
    old = Message.objects.get(kind="appointment_reminder")
    later = make_slot(start=soon.start + timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        reschedule(appointment=appointment, slot=later)
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is None  # the move owes a new reminder

    assert outbox.deliver(old.pk) == Message.Status.SKIPPED
    remind(django_capture_on_commit_callbacks)

    reminders = [m for m in mailoutbox if "Reminder" in m.subject]
    assert len(reminders) == 1
    assert timezone.localtime(later.start, later.site.tzinfo).strftime("%H:%M") in reminders[0].body


def test_23_8_a_claim_never_confirmed_is_released_and_sent_once(
    person, soon, make_appointment, mailoutbox, django_capture_on_commit_callbacks
):
    make_appointment(person, soon)
    call_command("send_appointment_reminders")
    message = Message.objects.get(kind="appointment_reminder")
    # A worker claimed it and was killed before sending: the row says "sending".
    assert outbox._claim(message.pk, timezone.now()) is not None

    assert outbox.sweep() == 0  # a live claim is left alone
    assert outbox.deliver(message.pk) == ""
    with time_machine.travel(timezone.now() + outbox.CLAIM_TIMEOUT + timedelta(seconds=1)):
        assert outbox.sweep() == 1
        assert outbox.sweep() == 0

    assert len(mailoutbox) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.SENT, 2)


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_23_6_two_reminder_runs_and_two_sweeps_at_once_send_each_message_once(site, vaccine, make_slot, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core import mail

    mail.outbox = []
    start = timezone.now() + timedelta(hours=3)
    slot = make_slot(start=start, capacity=20)
    people = [UserFactory() for _ in range(20)]
    for person in people:
        book(person=person, slot=slot)  # confirmations handed off at once (eager)
    mail.outbox = []
    Message.objects.update(status=Message.Status.PENDING, created_at=timezone.now() - timedelta(minutes=5))
    barrier = threading.Barrier(4)

    def run(job):
        try:
            barrier.wait()
            job()
        finally:
            connections.close_all()

    jobs = [lambda: call_command("send_appointment_reminders")] * 2 + [outbox.sweep] * 2
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outbox.sweep()

    reminders = [message for message in mail.outbox if "Reminder" in message.subject]
    confirmations = [message for message in mail.outbox if "is booked" in message.subject]
    assert (len(reminders), len(confirmations), len(mail.outbox)) == (20, 20, 40)
    assert len({message.to[0] for message in reminders}) == 20
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}
