"""The tenants app's periodic job and settings row, created by migration 0003 and re-ensured after
every ``migrate`` and test-database flush (kitb_portal/common/schedules.py), so they are never missing."""
from __future__ import annotations

from kitb_portal.common import schedules

OVERDUE_SWEEP_TASK_NAME = "tenants: overdue application reminders"
OVERDUE_SWEEP_TASK = "tenants.tasks.application_overdue_sweep"
AT_RISK_SWEEP_TASK_NAME = "tenants: projects at risk reminders"
AT_RISK_SWEEP_TASK = "tenants.tasks.project_at_risk_sweep"
SCHEDULES = [
    schedules.Schedule(
        OVERDUE_SWEEP_TASK_NAME, OVERDUE_SWEEP_TASK, crontab={"minute": "0", "hour": "1", "timezone": "Asia/Jakarta"},
        description="Remind reviewers and owning officers of applications overdue in their step (weekly per application).",
    ),
    schedules.Schedule(
        AT_RISK_SWEEP_TASK_NAME, AT_RISK_SWEEP_TASK, crontab={"minute": "30", "hour": "1", "timezone": "Asia/Jakarta"},
        description="Remind the owner officer of each tenant project with a late milestone (weekly per project and stage).",
    ),
]


def ensure_schedules(apps=None, using: str = "default") -> None:
    """Idempotent: the ScreeningSettings row (pk=1), the daily overdue sweep at 01:00 WIB and the
    daily projects-at-risk sweep at 01:30 WIB."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    ScreeningSettings = apps.get_model("tenants", "ScreeningSettings")
    ScreeningSettings.objects.using(using).get_or_create(pk=1, defaults={"quorum": 2, "overdue_days": 14})
    schedules.ensure(apps, SCHEDULES, using)


def remove_schedules(apps, using: str = "default") -> None:
    schedules.remove(apps, SCHEDULES, using)


on_post_migrate = schedules.after_migrate(ensure_schedules, needs=("tenants.ScreeningSettings",))
