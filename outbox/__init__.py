"""The outbox: every message owed to someone (a booking confirmation, a new
time, a cancellation, a reminder, later offers and alerts) is a row written in
the same transaction as the change that owes it, handed to the background
worker after commit, and swept up periodically if it was never sent (broker
down, worker killed). Sending claims the row with a conditional UPDATE and
marks it sent with another, so a retry or a second worker never sends twice.

The hand-off costs the request next to nothing: the id goes on a queue of its
process, and the process's courier thread (outbox/courier.py) publishes the
ids of the next few milliseconds as one task, off the request, whether the
broker is up or down; the worker sends each (outbox/tasks.py). Without a
broker (Celery eager: `make run`, the tests) the message is sent at commit.

    from outbox import enqueue
    enqueue(kind="appointment_booked", to=person.email, data={"appointment": pk, "sequence": 0})

The app that owes a kind of message says how to write it, at send time, from
the data (so a change between the request and the send is seen):

    @outbox.composer("appointment_booked")
    def compose(message) -> EmailMessage | str | None: ...

An email composer returns an EmailMessage (its `to` is set from the row), a
text-message composer returns the text, and either returns None when the
message is no longer owed (the appointment moved again, the account is gone):
the row is then marked skipped.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

import sqlinsert
from outbox import courier

logger = logging.getLogger(__name__)

# A claim not confirmed within this long is taken to be a worker that died
# mid-send (killed, out of memory): the sweep releases and retries it. Longer
# than any send can take (EMAIL_TIMEOUT and the SMS timeout are seconds).
CLAIM_TIMEOUT = timedelta(minutes=5)
# Failed sends are retried later and later, then given up (and logged as an error).
MAX_ATTEMPTS = 8
# The hand-off after commit normally delivers within a second; the sweep leaves
# younger rows to it rather than race it (the claim would make a race harmless).
SWEEP_GRACE = timedelta(seconds=60)

_composers = {}


def composer(*kinds):
    """Register the function that writes messages of these kinds."""

    def register(function):
        for kind in kinds:
            _composers[kind] = function
        return function

    return register


def new_message(*, kind: str, to: str, channel: str = "email", data: dict | None = None, key: str | None = None):
    """A message to owe, not yet written (enqueue writes it; a caller that
    writes it inside a statement of its own calls written() after)."""
    from outbox.models import Message

    return Message(kind=kind, to=to, channel=channel, data=data or {}, key=key)


def enqueue(
    *,
    kind: str = "",
    to: str = "",
    channel: str = "email",
    data: dict | None = None,
    key: str | None = None,
    along=(),
    message=None,
):
    """Record a message as owed and hand it to the worker once the current
    transaction commits (at once outside one). Call it inside the transaction
    of the change that owes the message: if that rolls back, nothing is owed.
    The message is given by its fields, or made already by new_message().

    `key`, when given, makes the message owed once: a second enqueue with the
    same key returns None and adds nothing. Returns the Message otherwise.
    `along`: other new rows of the change (its audit event), written with the
    message in one round trip (sqlinsert.insert_unless_duplicate), owed or not.
    """
    if message is None:
        message = new_message(kind=kind, to=to, channel=channel, data=data, key=key)
    if message.key is None and not along:
        message.save()
    elif not sqlinsert.insert_unless_duplicate(message, along=along):
        # Owed already. ON CONFLICT DO NOTHING leaves the caller's transaction
        # intact without a savepoint (two round trips fewer on every booking).
        return None
    written(message)
    return message


def written(message) -> None:
    """`message` is in the outbox (its row written, by enqueue or by the
    caller's own statement): hand it over once that commits."""
    transaction.on_commit(lambda: hand_off(message.pk))


def hand_off(message_id: int) -> None:
    """Give the message to the worker; returns at once and never raises: the
    request that owed it has already committed, and the sweep finds any row
    the broker never took.

    With a broker, the id goes to this process's courier (outbox/courier.py),
    which publishes it with the others of the next few milliseconds in one
    task: the request never waits for the broker, up or down. Without one
    (Celery eager: `make run`, the tests) the message is delivered here and
    now, as the worker would."""
    from outbox.tasks import deliver_message

    if deliver_message.app.conf.task_always_eager:
        deliver_message.delay(message_id)
    else:
        courier.default.hand_off(message_id)


def _claim(message_id: int, now):
    """Take the row with one conditional UPDATE: whoever changes it sends; a
    second worker, a retried task or an overlapping sweep changes nothing.
    A claim older than CLAIM_TIMEOUT is a dead worker's and may be taken over.
    Returns the claimed Message, or None."""
    from django.db.models import F

    from outbox.models import Message

    claimed = Message.objects.filter(_claimable(now), pk=message_id).update(
        status=Message.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return Message.objects.get(pk=message_id) if claimed else None


def _claimable(now):
    """What a worker may take: pending and due, or claimed by a worker that
    died (a claim older than CLAIM_TIMEOUT). The one rule of what is owed;
    the sweep (owed) narrows it."""
    from django.db.models import Q

    from outbox.models import Message

    Status = Message.Status
    return Q(status=Status.PENDING, available_at__lte=now) | Q(
        status=Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    )


def _finish(message, **fields) -> bool:
    """Record the outcome, if the claim is still ours (attempts is the fencing token)."""
    from outbox.models import Message

    return bool(
        Message.objects.filter(pk=message.pk, status=Message.Status.SENDING, attempts=message.attempts).update(**fields)
    )


def deliver(message_id: int) -> str:
    """Claim, compose, send and mark one message. Returns its status after
    this attempt ("sent", "skipped", "pending" for a retry, "failed"), or ""
    when someone else holds it or it is not owed."""
    from outbox.models import Message
    from outbox.sending import send

    now = timezone.now()
    message = _claim(message_id, now)
    if message is None:
        return ""
    Status = Message.Status
    try:
        compose = _composers[message.kind]
    except KeyError:
        logger.error("outbox: no composer for %r (message %s); marked failed", message.kind, message.pk)
        _finish(message, status=Status.FAILED, last_error=f"no composer for {message.kind!r}")
        return Status.FAILED
    try:
        content = compose(message)
        if content is None:
            _finish(message, status=Status.SKIPPED, sent_at=None)
            return Status.SKIPPED
        send(message, content)
    except Exception as error:
        return _failed(message, error)
    if not _finish(message, status=Status.SENT, sent_at=timezone.now(), last_error=""):
        # Our claim was taken over after CLAIM_TIMEOUT: the other sender may
        # have sent it too. Say so rather than hide a possible duplicate.
        logger.warning("outbox: message %s was sent after its claim expired; it may have gone twice", message.pk)
    return Status.SENT


def _failed(message, error) -> str:
    from outbox.models import Message

    Status = Message.Status
    text = f"{type(error).__name__}: {error}"[:2000]
    # An error may say that retrying is pointless (an SMS provider refusing the number).
    if message.attempts >= MAX_ATTEMPTS or getattr(error, "permanent", False):
        logger.error(
            "outbox: gave up on message %s (%s) after %s attempts: %s", message.pk, message.kind, message.attempts, text
        )
        _finish(message, status=Status.FAILED, last_error=text)
        return Status.FAILED
    delay = timedelta(minutes=min(2 ** (message.attempts - 1), 60))
    logger.warning(
        "outbox: could not send message %s (%s), attempt %s; will retry in %s: %s",
        message.pk,
        message.kind,
        message.attempts,
        delay,
        text,
    )
    _finish(message, status=Status.PENDING, available_at=timezone.now() + delay, last_error=text)
    return Status.PENDING


def forget(*, to: str) -> int:
    """A deleted account: nothing more goes to `to`, and the outbox keeps no
    copy of the address. Returns how many rows held it."""
    from django.db.models import Q

    from outbox.models import Message

    Status = Message.Status
    still_owed = Q(status__in=[Status.PENDING, Status.SENDING])
    Message.objects.filter(still_owed, to=to).update(status=Status.SKIPPED, claimed_at=None)
    return Message.objects.filter(to=to).update(to="", data={})


def owed(now=None):
    """Messages the sweep should (re)hand to the worker: what a worker may
    claim (_claimable), but for a message written in the last SWEEP_GRACE
    and never tried, whose hand-off after commit is on its way."""
    from outbox.models import Message

    now = now or timezone.now()
    return Message.objects.filter(_claimable(now)).exclude(
        status=Message.Status.PENDING, attempts=0, created_at__gt=now - SWEEP_GRACE
    )


def sweep(*, limit: int = 500) -> int:
    """Hand every owed message to the worker again, one task each; returns how many.

    The sweep runs in the worker, where nobody waits for it: it publishes
    there and then rather than through the courier, so its tasks are queued
    when it returns (a worker child may be recycled right after), and the
    worker's children share a backlog after an outage message by message."""
    from outbox.tasks import queue_each

    ids = list(owed().order_by("available_at").values_list("pk", flat=True)[:limit])
    queue_each(ids)
    return len(ids)
