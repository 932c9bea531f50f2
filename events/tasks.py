"""Thin Celery tasks: beat starts the sweeps (PeriodicTask rows from migration 0003)."""
from celery import shared_task


@shared_task(ignore_result=True)
def registration_expire_lapsed() -> int:
    from .services import registration_expire_lapsed as run

    return run()


@shared_task(ignore_result=True)
def event_reminders_send() -> int:
    from .services import event_reminders_send as run

    return run()


@shared_task(ignore_result=True)
def event_followup_send() -> int:
    from .services import event_followup_send as run

    return run()


@shared_task(ignore_result=True)
def passport_data_purge() -> int:
    from .services import passport_data_purge as run

    return run()
