"""Celery tasks of the outbox. Thin: they take ids and call the delivery code and the services.

``acks_late`` and ``reject_on_worker_lost`` (also the global defaults) mean a task may run again
after a worker dies; every task here is idempotent (the claim lets only one delivery through).
"""
from celery import shared_task

from . import delivery, services


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=None)
def outbox_deliver(self, message_id: int) -> str:
    """Deliver one outbox row; after a temporary failure, retry after the row's backoff.

    ``max_retries=None``: the row's attempt counter and ``OUTBOX_MAX_ATTEMPTS`` decide when to give
    up, not Celery. Run eagerly (tests), a retry runs at once, so it only finds the row due when the
    backoff is zero; otherwise the sweep picks the row up later.
    """
    outcome = delivery.outbox_deliver_one(message_id=message_id)
    if outcome.retry_in is not None:
        if self.request.is_eager and outcome.status == "not_due":
            return outcome.status  # an eager retry cannot wait; the sweep queues it when due
        raise self.retry(countdown=max(outcome.retry_in, 0))
    return outcome.status


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def outbox_sweep() -> dict:
    """Every minute (celery beat): re-queue lost deliveries and re-open stale claims."""
    result = services.outbox_sweep()
    return {"reopened": len(result.reopened), "failed": len(result.failed), "requeued": len(result.requeued)}


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def outbox_purge_sent() -> int:
    """Daily (celery beat): delete sent messages older than the retention period."""
    return services.outbox_purge_sent()


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def digests_send_due() -> dict:
    """Every hour (celery beat): build the digests whose 07:00 local time has come (see ``digest.py``)."""
    from .digest import digests_send_due as build

    result = build()
    return {"due": result.due, "written": result.written, "empty": result.empty}
