"""The outbox: what is owed is recorded with the change, delivered after
commit, swept up when the hand-off failed, and sent once."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

import outbox
from outbox import courier
from outbox.models import Message
from outbox.tasks import deliver_messages
from project.celery import app as celery_app
from tests.outbox.conftest import celery_as_in_production
from vaccination.models import Appointment
from vaccination.services import book

ROOT = Path(__file__).resolve().parent.parent.parent


def later(minutes=2):
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes))


def test_a_message_is_sent_after_the_commit_and_marked_sent(db, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = outbox.enqueue(kind="test_note", to="ana@example.org", data={"text": "hello"})
        assert mailoutbox == []

    assert [(m.to, m.body) for m in mailoutbox] == [(["ana@example.org"], "hello")]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.SENT, 1)
    assert message.sent_at is not None


def test_a_change_that_rolls_back_owes_nothing(db, mailoutbox, django_capture_on_commit_callbacks):
    def a_change_that_fails():
        with transaction.atomic():
            outbox.enqueue(kind="test_note", to="ana@example.org")
            raise RuntimeError("the booking failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        a_change_that_fails()

    assert not Message.objects.exists()
    assert mailoutbox == []


def test_a_key_makes_a_message_owed_once(db):
    first = outbox.enqueue(kind="test_note", to="ana@example.org", key="note:1")
    second = outbox.enqueue(kind="test_note", to="ana@example.org", key="note:1")

    assert first is not None
    assert second is None
    assert Message.objects.count() == 1


def test_a_message_no_longer_owed_is_skipped(db, mailoutbox):
    message = outbox.enqueue(kind="test_note", to="ana@example.org", data={"stale": True})

    assert outbox.deliver(message.pk) == Message.Status.SKIPPED
    assert mailoutbox == []


def test_a_kind_nobody_composes_is_marked_failed_and_logged(db, caplog):
    message = outbox.enqueue(kind="no_such_kind", to="ana@example.org")

    assert outbox.deliver(message.pk) == Message.Status.FAILED
    assert "no composer for 'no_such_kind'" in caplog.text


def test_a_failing_mail_server_is_retried_later_and_given_up_after_the_last_attempt(db, settings, caplog):
    settings.EMAIL_BACKEND = "tests.vaccination.broken_mail.EmailBackend"
    message = outbox.enqueue(kind="test_note", to="ana@example.org")

    assert outbox.deliver(message.pk) == Message.Status.PENDING
    assert outbox.deliver(message.pk) == ""  # not due again yet
    for attempt in range(2, outbox.MAX_ATTEMPTS + 1):
        with later(minutes=61 * attempt):
            outcome = outbox.deliver(message.pk)

    assert outcome == Message.Status.FAILED
    message.refresh_from_db()
    assert message.attempts == outbox.MAX_ATTEMPTS
    assert "mail server down" in message.last_error
    assert "gave up on message" in caplog.text


def test_a_batch_from_a_courier_delivers_each_message_once(db, mailoutbox):
    ids = [outbox.enqueue(kind="test_note", to=f"{name}@example.org").pk for name in ("ana", "ben", "cy")]

    deliver_messages.delay(ids)  # eager: the worker's part, its fan-out included, runs here
    deliver_messages.delay(ids)  # the same batch again (a task redelivered) sends nothing more

    assert sorted(m.to[0] for m in mailoutbox) == ["ana@example.org", "ben@example.org", "cy@example.org"]
    assert set(Message.objects.values_list("status", "attempts")) == {(Message.Status.SENT, 1)}


def test_a_message_queued_under_the_old_task_name_is_still_delivered(db, mailoutbox):
    # Tasks queued by the release before the courier name the message alone.
    message = outbox.enqueue(kind="test_note", to="ana@example.org")

    celery_app.tasks["outbox.deliver_message"].delay(message.pk)

    assert [m.to for m in mailoutbox] == [["ana@example.org"]]


@pytest.fixture
def redis_broker():
    """A real broker: Redis's database 7, the tests' own, under a key prefix of
    this test's (tests on other xdist workers use it at the same time)."""
    import redis

    url = "redis://127.0.0.1:6379/7"
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("needs Redis at 127.0.0.1:6379")
    prefix = f"vaxfleet-test-{uuid.uuid4().hex}:"
    options = {**celery_app.conf.broker_transport_options, "global_keyprefix": prefix}
    with celery_as_in_production(broker_url=url, broker_transport_options=options):
        yield lambda: queued_tasks(client, f"{prefix}celery")
    client.delete(*client.keys(f"{prefix}*") or [f"{prefix}celery"])


def queued_tasks(client, queue):
    """(task name, arguments) of each task message waiting in the queue, in
    the order they were queued."""
    return [
        (task["headers"]["task"], task["headers"]["argsrepr"])
        for task in map(json.loads, reversed(client.lrange(queue, 0, -1)))
    ]


def test_a_batch_sends_its_first_message_and_queues_the_others_one_task_each(db, mailoutbox, redis_broker):
    # One task each, so the worker's other children send them meanwhile, not one child after the other.
    ids = [outbox.enqueue(kind="test_note", to=f"{name}@example.org").pk for name in ("ana", "ben", "cy")]

    deliver_messages(ids)  # as a worker child runs it

    assert [m.to for m in mailoutbox] == [["ana@example.org"]]
    assert redis_broker() == [
        ("outbox.deliver_message", f"({ids[1]},)"),
        ("outbox.deliver_message", f"({ids[2]},)"),
    ]


def test_the_sweep_queues_one_task_for_each_message_owed(db, redis_broker):
    ids = [outbox.enqueue(kind="test_note", to=f"{name}@example.org").pk for name in ("ana", "ben")]

    with later(minutes=2):
        assert outbox.sweep() == 2

    assert redis_broker() == [("outbox.deliver_message", f"({message_id},)") for message_id in ids]


def test_booking_with_the_broker_down_still_books_and_the_sweep_sends_the_mail_once(
    client, person, slot, broker_down, mailoutbox, django_capture_on_commit_callbacks, caplog
):
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("vaccination:book"), {"slot": slot.pk})

    appointment = Appointment.objects.get(person=person)
    assert response.status_code == 302
    assert mailoutbox == []
    assert Message.objects.get().status == Message.Status.PENDING
    assert courier.default.flush(timeout=30)
    assert "the broker did not take 1 message (" in caplog.text
    assert "the sweep will send it" in caplog.text

    celery_app.conf.update(task_always_eager=True)  # the broker is back (eager: the worker runs here)
    assert outbox.sweep() == 0  # younger than the hand-off's grace: not the sweep's yet
    with later(minutes=2):
        assert outbox.sweep() == 1
        assert outbox.sweep() == 0

    assert [m.to for m in mailoutbox] == [[person.email]]
    assert appointment.code in mailoutbox[0].body


def test_a_hand_off_with_no_broker_never_fails_the_change(
    person, slot, broker_down, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(person=person, slot=slot)

    assert appointment.pk
    assert courier.default.flush(timeout=30)
    assert "the broker did not take 1 message (" in caplog.text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: a second process must see the test database"
)
def test_a_worker_killed_mid_send_leaves_the_message_to_be_sent_exactly_once(
    person, slot, mailoutbox, settings, broker_down
):
    # The broker does not take the hand-off: the worker process below is the one that sends.
    appointment = book(person=person, slot=slot)
    message = Message.objects.get(kind="appointment_booked")
    assert courier.default.flush(timeout=30)  # refused by the broker, before it comes back (eager) below
    celery_app.conf.update(task_always_eager=True)
    db = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_URL", "EMAIL_"))},
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "EMAIL_BACKEND": "tests.outbox.hanging_mail.EmailBackend",
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", f"import django; django.setup(); import outbox; outbox.deliver({message.pk})"],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while Message.objects.get(pk=message.pk).status != Message.Status.SENDING:
            assert worker.poll() is None, "the worker exited before claiming the message"
            assert time.monotonic() < deadline, "the worker never claimed the message"
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.sweep() == 0  # the claim is still fresh: maybe the worker is only slow
    with later(minutes=outbox.CLAIM_TIMEOUT.total_seconds() / 60 + 1):
        assert outbox.sweep() == 1
        assert outbox.sweep() == 0

    assert [m.to for m in mailoutbox] == [[person.email]]
    assert appointment.code in mailoutbox[0].body
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.SENT, 2)


def test_the_sweep_takes_what_a_worker_may_claim_but_leaves_fresh_messages_to_their_hand_off(db):
    now = timezone.now()

    def message(name, **fields):
        due = {"available_at": now - timedelta(seconds=1), **fields}
        return Message.objects.create(kind="test_note", to=f"{name}@example.org", **due).pk

    swept = {
        message("old", created_at=now - outbox.SWEEP_GRACE - timedelta(seconds=1)),
        message("retried", attempts=1, created_at=now),  # failed once, due again: no hand-off is coming
        message(
            "dead-worker",
            status=Message.Status.SENDING,
            attempts=1,
            claimed_at=now - outbox.CLAIM_TIMEOUT - timedelta(seconds=1),
        ),
    }
    fresh = message("fresh", created_at=now)  # its hand-off after commit is on its way
    left = {
        message("not-yet", attempts=1, available_at=now + timedelta(minutes=5)),
        message("being-sent", status=Message.Status.SENDING, attempts=1, claimed_at=now),
        message("sent", status=Message.Status.SENT, attempts=1, sent_at=now),
        message("given-up", status=Message.Status.FAILED, attempts=outbox.MAX_ATTEMPTS),
    }

    assert set(outbox.owed(now).values_list("pk", flat=True)) == swept
    # A worker may claim the fresh one too (its hand-off), and none of the rest.
    claimable = {pk for pk in swept | left | {fresh} if outbox._claim(pk, now) is not None}
    assert claimable == swept | {fresh}
