"""Celery tasks of background jobs. Thin: they take ids and call the services.

``acks_late`` / ``reject_on_worker_lost``: a task may run again after a worker dies; ``job_run``'s
claim (a conditional UPDATE) lets one worker at a time do a job, and a job's import commits in the
same transaction that records it done, so a second run never imports a file twice.
"""
from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def job_run(job_id: int) -> str:
    job = services.job_run(job_id=job_id)
    return job.status if job is not None else "not claimed"


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def job_sweep() -> dict:
    """Every 5 minutes (celery beat): re-queue lost jobs, give up hopeless ones, purge old ones."""
    result = services.job_sweep()
    return {"requeued": len(result["requeued"]), "failed": len(result["failed"]), "purged": result["purged"]}
