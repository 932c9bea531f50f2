"""The jobs sweep's celery beat schedule (a django-celery-beat row), created if missing by migration
0002 and after every ``migrate`` and test-database flush (kitb_portal/common/schedules.py)."""
from __future__ import annotations

from kitb_portal.common import schedules

SWEEP_NAME = "Background jobs: re-queue lost jobs and delete old ones"
SWEEP_TASK = "kitb_portal.jobs.tasks.job_sweep"
SCHEDULES = [
    schedules.Schedule(
        SWEEP_NAME, SWEEP_TASK, every_minutes=5, expire_seconds=600,
        description="Queues again the background jobs whose task or worker was lost (JOBS_REQUEUE_AFTER_SECONDS, "
        "JOBS_STALE_AFTER_SECONDS), gives up after JOBS_MAX_ATTEMPTS, and deletes finished jobs and their "
        "files after JOBS_RETENTION_DAYS.",
    ),
]


def create_schedules(apps, using: str = "default") -> int:
    return schedules.ensure(apps, SCHEDULES, using)


def delete_schedules(apps, using: str = "default") -> None:
    schedules.remove(apps, SCHEDULES, using)


ensure_schedules_after_migrate = schedules.after_migrate(create_schedules, needs=("jobs.BackgroundJob",))
