"""Celery tasks of the outbox (thin: they call delivery services)."""
from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def outbox_deliver(message_id: int) -> None:
    from .delivery import outbox_deliver_one

    outbox_deliver_one(message_id=message_id)
