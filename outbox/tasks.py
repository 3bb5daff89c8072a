from celery import group, shared_task
from celery.signals import worker_process_shutdown

import outbox
from outbox import courier


@shared_task(name="outbox.deliver_message", ignore_result=True)
def deliver_message(message_id: int) -> None:
    outbox.deliver(message_id)


@shared_task(name="outbox.deliver_messages", ignore_result=True)
def deliver_messages(message_ids: list[int]) -> None:
    """A batch from a process's courier. The first message is sent here; the
    others are queued again one task each, first, so the worker's other
    children send them meanwhile instead of waiting behind this one (a send
    can take seconds of a mail server's time)."""
    if not message_ids:
        return
    first, *others = message_ids
    queue_each(others)
    outbox.deliver(first)


def queue_each(message_ids: list[int]) -> None:
    """One deliver_message task per message, published through one producer
    (a Celery group). A broker that refuses them is logged, never raised: the
    sweep sends them."""
    if not message_ids:
        return
    try:
        group(deliver_message.s(message_id) for message_id in message_ids).apply_async()
    except Exception as error:  # kombu raises several kinds (OperationalError, ConnectionError, timeouts)
        courier.log_refused(len(message_ids), error)


@shared_task(name="outbox.sweep", ignore_result=True)
def sweep() -> None:
    outbox.sweep()


@worker_process_shutdown.connect
def flush_the_courier(**kwargs):
    """A Celery child leaves with os._exit, past atexit: what its tasks owed
    (reminders, offers, alerts) and its courier still holds is published now."""
    courier.default.flush(courier.EXIT_FLUSH_TIMEOUT)
