from celery import shared_task

import outbox


@shared_task(name="outbox.deliver_message", ignore_result=True)
def deliver_message(message_id: int) -> None:
    outbox.deliver(message_id)


@shared_task(name="outbox.sweep", ignore_result=True)
def sweep() -> None:
    outbox.sweep()
