"""The courier: a request hands its message to a thread of its own process
and goes on; the thread gives the broker what gathered in one task. The
broker stands in as a Publisher (tests/outbox/conftest.py): no Redis here."""

import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from celery.signals import worker_process_shutdown
from django.db import transaction
from django.urls import reverse

import outbox
import outbox.tasks  # the worker imports it: it hears its children exit
from outbox import courier as courier_module
from outbox.courier import Courier
from outbox.models import Message
from tests.outbox.conftest import Publisher, celery_as_in_production

ROOT = Path(__file__).resolve().parent.parent.parent
# Long enough that only a flush ends the gathering: a batch's make-up does not hang on timing.
FOREVER = 60


def test_ids_handed_off_by_several_request_threads_are_each_published_once_in_few_batches():
    everyone_handed_off = threading.Event()
    # The first batch waits at the broker until every thread has handed off: the rest are then all queued.
    publisher = Publisher(hold=everyone_handed_off)
    courier = Courier(publisher)

    def request_thread(first):
        for message_id in range(first, first + 250):
            courier.hand_off(message_id)

    threads = [threading.Thread(target=request_thread, args=(first,)) for first in (0, 250, 500, 750)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everyone_handed_off.set()

    assert courier.flush(timeout=30)
    assert sorted(publisher.ids) == list(range(1000))  # every one, none twice
    assert len(publisher.calls) <= 3


def test_a_broker_that_refuses_a_batch_is_logged_once_and_the_next_ids_still_go(caplog):
    publisher = Publisher()
    publisher.refuse = ConnectionRefusedError("[Errno 111] Connection refused")
    courier = Courier(publisher, linger=FOREVER)

    for message_id in (1, 2, 3):
        courier.hand_off(message_id)
    assert courier.flush(timeout=30)
    courier.hand_off(4)
    assert courier.flush(timeout=30)

    assert publisher.calls == [[1, 2, 3], [4]]  # no retry of the refused batch: the sweep sends it
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert warnings == [
        "outbox: the broker did not take 3 messages (ConnectionRefusedError: [Errno 111] Connection refused); "
        "the sweep will send them"
    ]


def test_past_the_cap_new_ids_are_left_to_the_sweep_with_one_log_line(caplog):
    broker_answers = threading.Event()
    publisher = Publisher(hold=broker_answers)
    courier = Courier(publisher, cap=5)
    try:
        courier.hand_off(0)
        assert publisher.publishing.wait(timeout=30)  # the courier is stuck at the broker with [0]
        for message_id in range(1, 21):
            courier.hand_off(message_id)
    finally:
        broker_answers.set()

    assert courier.flush(timeout=30)
    assert publisher.calls == [[0], [1, 2, 3, 4, 5]]
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert warnings == [
        "outbox: 5 messages are already waiting for the broker; message 6 and any more until it "
        "catches up are left to the sweep"
    ]


def test_a_process_that_cannot_start_the_courier_leaves_the_message_to_the_sweep(monkeypatch, caplog):
    def out_of_threads(thread):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", out_of_threads)

    Courier(Publisher()).hand_off(1)  # after the commit: raising would answer 500 for a booking made

    assert "outbox: no courier (can't start new thread); the sweep will send message 1" in caplog.text


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (gunicorn forks its workers)")
def test_after_a_fork_the_child_has_a_courier_thread_of_its_own():
    publisher = Publisher()
    courier = Courier(publisher, linger=FOREVER)
    courier.hand_off(1)  # the parent's thread is running
    assert courier.flush(timeout=30)

    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover -- the child reports through the pipe
        try:
            courier.hand_off(2)
            courier.flush(timeout=10)
            seen = {"calls": publisher.calls, "new_thread": publisher.threads[-1] is not publisher.threads[0]}
            os.write(write_end, json.dumps(seen).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        seen = json.loads(pipe.read() or "{}")
    os.waitpid(child, 0)

    assert seen == {"calls": [[1], [2]], "new_thread": True}
    assert publisher.calls == [[1]]  # the parent's own courier published nothing of the child's


def test_a_process_that_exits_publishes_what_it_had_queued():
    script = (
        "from outbox.courier import Courier\n"
        f"courier = Courier(lambda ids: print('published', ids, flush=True), linger={FOREVER})\n"
        "for message_id in (1, 2, 3):\n"
        "    courier.hand_off(message_id)\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}

    finished = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert finished.returncode == 0, finished.stderr
    assert finished.stdout == "published [1, 2, 3]\n"


def test_a_worker_child_that_exits_publishes_what_it_had_queued(monkeypatch):
    # Celery's prefork children leave with os._exit, past atexit: they say so with this signal.
    publisher = Publisher()
    monkeypatch.setattr(courier_module, "default", Courier(publisher, linger=FOREVER))
    courier_module.default.hand_off(7)

    worker_process_shutdown.send(sender=None, pid=os.getpid(), exitcode=0)

    assert publisher.calls == [[7]]


def test_without_a_broker_the_message_is_delivered_at_commit_and_no_courier_takes_part(
    db, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    publisher = Publisher()
    monkeypatch.setattr(courier_module, "default", Courier(publisher))

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = outbox.enqueue(kind="test_note", to="ana@example.org", data={"text": "hello"})
        assert mailoutbox == []

    assert [(m.to, m.body) for m in mailoutbox] == [(["ana@example.org"], "hello")]
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert courier_module.default.flush(timeout=30)
    assert publisher.calls == []


def test_a_booking_answers_before_the_broker_has_taken_its_message(
    client, person, slot, monkeypatch, django_capture_on_commit_callbacks
):
    broker_answers = threading.Event()
    publisher = Publisher(hold=broker_answers)
    monkeypatch.setattr(courier_module, "default", Courier(publisher))
    client.force_login(person)

    with celery_as_in_production():
        try:
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(reverse("vaccination:book"), {"slot": slot.pk})
            assert response.status_code == 302
            assert not publisher.done.is_set()  # the answer did not wait for the broker
        finally:
            broker_answers.set()

    assert publisher.calls == [[Message.objects.get(kind="appointment_booked").pk]]
