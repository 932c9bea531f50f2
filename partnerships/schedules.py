"""The daily reminders sweep as a django-celery-beat PeriodicTask (06:00 Asia/Jakarta), created if
missing by migration 0002 and after every ``migrate`` and test-database flush
(kitb_portal/common/schedules.py)."""
from __future__ import annotations

from kitb_portal.common import schedules

TASK_NAME = "partnerships: daily reminders sweep"
TASK = "partnerships.tasks.reminders_sweep"
SCHEDULES = [
    schedules.Schedule(
        TASK_NAME, TASK, crontab={"minute": "0", "hour": "6", "timezone": "Asia/Jakarta"},
        description="MoU expiry (90/30/7 days before) and commitment reminders (14 days before, due date, weekly "
                    "while overdue); also expires or automatically renews MoUs past their expiry date.",
    ),
]


def create_schedule(apps, using: str = "default") -> bool:
    return bool(schedules.ensure(apps, SCHEDULES, using))


def delete_schedule(apps, using: str = "default") -> None:
    schedules.remove(apps, SCHEDULES, using)


ensure_schedule_after_migrate = schedules.after_migrate(create_schedule, needs=("partnerships.MoU",))
