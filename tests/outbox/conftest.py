import socket
import threading
from contextlib import contextmanager

import pytest
from django.core.mail import EmailMessage

import outbox
from outbox import courier
from project.celery import app as celery_app
from tests.vaccination.conftest import make_slot, site, slot, vaccine  # noqa: F401 -- fixtures for the booking cases


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def forget_connections():
    """Celery keeps its broker connections for the URL it first saw."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def celery_as_in_production(**conf):
    """Celery not eager (as with REDIS_URL set), with these settings; the
    process's courier has handed everything off before the test's settings
    are put back (else a batch could be published to the eager stand-in)."""
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url", "broker_transport_options")}
    celery_app.conf.update(task_always_eager=False, **conf)
    forget_connections()
    try:
        yield
    finally:
        courier.default.flush(timeout=30)
        celery_app.conf.update(saved)
        forget_connections()


@pytest.fixture
def broker_down():
    """Celery as in production (not eager), with its broker stopped."""
    with celery_as_in_production(broker_url=f"redis://127.0.0.1:{free_port()}/0"):
        yield


class Publisher:
    """Stands in for the broker behind a courier: records every batch it is
    given (taken or not), and which thread gave it. `refuse` makes the next
    call raise it; `hold` makes every call wait for the event."""

    def __init__(self, *, hold: threading.Event | None = None):
        self.calls = []
        self.threads = []
        self.refuse = None
        self.hold = hold
        self.publishing = threading.Event()
        self.done = threading.Event()

    def __call__(self, ids):
        self.calls.append(list(ids))
        self.threads.append(threading.current_thread())
        self.publishing.set()
        try:
            if self.hold is not None:
                self.hold.wait(timeout=30)
            if self.refuse is not None:
                error, self.refuse = self.refuse, None
                raise error
        finally:
            self.done.set()

    @property
    def ids(self):
        return [message_id for batch in self.calls for message_id in batch]


@outbox.composer("test_note")
def _note(message):
    return None if message.data.get("stale") else EmailMessage(subject="Note", body=message.data.get("text", ""))
