"""Thin Celery tasks of the partnerships app: they call services."""
from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def reminders_sweep(today: str | None = None) -> dict:
    """Daily (celery beat): close past terms and write the MoU expiry and commitment reminders due today."""
    from .services import reminders_sweep as sweep
    from .services import review_reminders_sweep

    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    result = sweep(today=day)
    # The same daily run measures the targets of current periods and reminds owners to prepare packs.
    result = dict(result or {})
    result["review"] = review_reminders_sweep(today=day)
    return result
