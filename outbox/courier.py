"""The courier: each process's one thread that hands outbox messages to the
broker, so that the request that owes a message only puts its id on a queue.

A publish costs the web process half a millisecond of CPU, more under load (Celery
builds the task message; kombu's Redis transport sets up a client and takes a
pooled connection), and with the broker down it waits for the connect timeout.
The courier does it off the request thread and for many ids at once: it waits
for an id, lingers LINGER for more, and publishes ONE task naming them all
(outbox.tasks.deliver_messages). A broker that refuses a batch is logged, once
per batch, and never retried: the outbox rows are the truth, and the sweep
(outbox.sweep, every minute) sends what was never handed off.

One thread per process, started on the first hand-off and again in a process
forked from one that had it (a fork copies no threads): gunicorn forks its
workers, Celery its children. What is queued is published at exit (atexit;
Celery's children leave past atexit and flush from outbox.tasks instead),
for at most EXIT_FLUSH_TIMEOUT.

Plain Python and the logging module: no Django, no Celery (the publisher is
given), so it can be tested with a stand-in for the broker.
"""

import atexit
import logging
import os
import queue
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)

# How long the courier gathers ids after the first before it publishes. A
# publish costs the process over a millisecond of CPU under load (py-spy on
# make bench's workers: 3% of a worker's time at 50 ms), so it is paid once
# for what a fifth of a second brings: at full load a web worker commits a
# booking every few milliseconds, forty or more per publish; when it is
# quiet a batch is one id, off the request's time. A message waits at most
# this much more, next to the seconds a mail server takes.
LINGER = 0.2
# Ids waiting beyond this (a broker that hangs for long) are left to the sweep:
# memory stays bounded, and the outbox row of each is still owed.
CAP = 10_000
# A process exiting (a deploy, a recycled worker) waits this long for its
# queued ids to be published; what remains is the sweep's.
EXIT_FLUSH_TIMEOUT = 2.0


def messages(count: int) -> str:
    return f"{count} message" if count == 1 else f"{count} messages"


def log_refused(count: int, error: Exception) -> None:
    """One line, no traceback: during an outage it is said for every batch."""
    logger.warning(
        "outbox: the broker did not take %s (%s: %s); the sweep will send %s",
        messages(count),
        type(error).__name__,
        error,
        "it" if count == 1 else "them",
    )


class _Run:
    """The courier of one process: its queue, its thread, whether it is dropping ids."""

    def __init__(self):
        self.pid = os.getpid()
        # SimpleQueue: put and get are safe between threads, and put never blocks a request.
        self.queue = queue.SimpleQueue()
        self.dropping = False
        self.thread = None


class Courier:
    def __init__(self, publish: Callable[[list[int]], object], *, linger: float = LINGER, cap: int = CAP):
        self.publish = publish
        self.linger = linger
        self.cap = cap
        self._run = None
        # Guards starting the thread when several request threads hand off at once. Forks happen in
        # gunicorn's master and Celery's parent, which never hand off, so no fork copies it held.
        self._starting = threading.Lock()
        self._flushes_at_exit = False

    def hand_off(self, message_id: int) -> None:
        """Queue the id for the next batch; returns at once, never raises."""
        try:
            run = self._current()
        except RuntimeError as error:  # "can't start new thread": the process is out of threads or memory
            logger.warning("outbox: no courier (%s); the sweep will send message %s", error, message_id)
            return
        if run.queue.qsize() >= self.cap:
            # Said once until the courier catches up, not once per request.
            if not run.dropping:
                run.dropping = True
                logger.warning(
                    "outbox: %s are already waiting for the broker; message %s and any more until it catches up "
                    "are left to the sweep",
                    messages(self.cap),
                    message_id,
                )
            return
        run.queue.put(message_id)

    def flush(self, timeout: float = EXIT_FLUSH_TIMEOUT) -> bool:
        """Publish what is queued now, without lingering; wait at most `timeout`
        seconds. True when everything handed off before the call was published
        (or refused and logged)."""
        run = self._run
        if run is None or run.pid != os.getpid():
            return True  # nothing was handed off in this process
        published = threading.Event()
        run.queue.put(published)  # behind every id already queued
        return published.wait(timeout)

    def _current(self) -> _Run:
        run = self._run
        if run is not None and run.pid == os.getpid():
            return run
        with self._starting:
            if self._run is None or self._run.pid != os.getpid():
                run = _Run()
                run.thread = threading.Thread(target=self._serve, args=(run,), name="outbox-courier", daemon=True)
                run.thread.start()
                self._run = run
                if not self._flushes_at_exit:
                    # Registered once: a forked child inherits it and flushes its own run.
                    atexit.register(self._flush_at_exit)
                    self._flushes_at_exit = True
            return self._run

    def _serve(self, run: _Run) -> None:
        while True:
            batch, flushes = self._gather(run)
            if batch:
                try:
                    self.publish(batch)
                except Exception as error:  # kombu raises several kinds (OperationalError, ConnectionError, timeouts)
                    log_refused(len(batch), error)
            for published in flushes:
                published.set()

    def _gather(self, run: _Run) -> tuple[list[int], list[threading.Event]]:
        """Wait for the first id, then take what comes within the linger;
        a flush ends the linger at once."""
        batch, flushes = [], []
        item = run.queue.get()
        deadline = time.monotonic() + self.linger
        while True:
            if isinstance(item, threading.Event):
                flushes.append(item)
                break
            batch.append(item)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                item = run.queue.get(timeout=remaining)
            except queue.Empty:
                break
        run.dropping = False  # the queue has room again
        return batch, flushes

    def _flush_at_exit(self) -> None:
        if not self.flush(EXIT_FLUSH_TIMEOUT):
            logger.warning(
                "outbox: the process exits before the broker took every message handed off; the sweep will send them"
            )


def _publish(message_ids: list[int]) -> None:
    from outbox.tasks import deliver_messages

    deliver_messages.delay(message_ids)


# The process's courier; outbox.hand_off gives it every id when Celery is not eager.
default = Courier(_publish)
