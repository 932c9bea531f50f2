"""The jobs sweep's celery beat schedule (a django-celery-beat row), created if missing.

Called by migration 0002 (historical models) and after every ``migrate`` and test-database flush
(post_migrate), as the outbox's schedules are. An existing row is never changed (what staff edit in
the admin stays); to stop the sweep, untick "enabled".
"""
from __future__ import annotations

from django.utils import timezone

SWEEP_NAME = "Background jobs: re-queue lost jobs and delete old ones"
SWEEP_TASK = "kitb_portal.jobs.tasks.job_sweep"


def _touch(apps, using: str) -> None:
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTasks.objects.using(using).update_or_create(ident=1, defaults={"last_update": timezone.now()})


def create_schedules(apps, using: str = "default") -> int:
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.using(using).filter(name=SWEEP_NAME).exists():
        return 0
    every_5, _ = IntervalSchedule.objects.using(using).get_or_create(every=5, period="minutes")
    PeriodicTask.objects.using(using).create(
        name=SWEEP_NAME,
        task=SWEEP_TASK,
        interval=every_5,
        expire_seconds=600,
        description="Queues again the background jobs whose task or worker was lost (JOBS_REQUEUE_AFTER_SECONDS, "
        "JOBS_STALE_AFTER_SECONDS), gives up after JOBS_MAX_ATTEMPTS, and deletes finished jobs and their "
        "files after JOBS_RETENTION_DAYS.",
    )
    _touch(apps, using)
    return 1


def delete_schedules(apps, using: str = "default") -> None:
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.using(using).filter(name=SWEEP_NAME).delete()
    _touch(apps, using)


def ensure_schedules_after_migrate(sender, apps=None, using="default", plan=None, **kwargs) -> None:
    """post_migrate receiver (sent for the jobs app)."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    if plan and all(backwards for _migration, backwards in plan):
        return
    try:
        apps.get_model("django_celery_beat", "PeriodicTask")
        apps.get_model("jobs", "BackgroundJob")
    except LookupError:
        return
    create_schedules(apps, using)
