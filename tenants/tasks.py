"""Celery tasks of the tenants app (thin: they call services)."""
from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def application_overdue_sweep() -> int:
    """Daily (PeriodicTask from migration 0003): remind reviewers and officers of overdue applications,
    and reviewers of reviews past their due date."""
    from .services import application_overdue_sweep as sweep
    from .services import review_due_sweep

    return sweep() + review_due_sweep()


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def project_at_risk_sweep() -> int:
    """Daily (tenants/schedules.py): remind the owner officers of projects with a late milestone, weekly."""
    from .services import project_at_risk_sweep as sweep

    return sweep()
