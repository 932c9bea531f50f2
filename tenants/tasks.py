"""Celery tasks of the tenants app (thin: they call services)."""
from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def application_overdue_sweep() -> int:
    """Daily (PeriodicTask from migration 0003): remind reviewers and officers of overdue applications."""
    from .services import application_overdue_sweep as sweep

    return sweep()
