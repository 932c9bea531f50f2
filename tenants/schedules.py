"""The tenants app's periodic job and settings row, created by migration 0003 and re-ensured after
every ``migrate`` and test-database flush (post_migrate), so they are never missing."""

OVERDUE_SWEEP_TASK_NAME = "tenants: overdue application reminders"
OVERDUE_SWEEP_TASK = "tenants.tasks.application_overdue_sweep"


def ensure_schedules(apps=None) -> None:
    """Idempotent: the ScreeningSettings row (pk=1) and the daily overdue sweep at 01:00 WIB."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    ScreeningSettings = apps.get_model("tenants", "ScreeningSettings")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    ScreeningSettings.objects.get_or_create(pk=1, defaults={"quorum": 2, "overdue_days": 14})
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="1", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Jakarta",
    )
    PeriodicTask.objects.get_or_create(
        name=OVERDUE_SWEEP_TASK_NAME,
        defaults={"task": OVERDUE_SWEEP_TASK, "crontab": schedule, "enabled": True,
                  "description": "Remind reviewers and owning officers of applications overdue in their step (weekly per application)."},
    )


def remove_schedules(apps) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=OVERDUE_SWEEP_TASK_NAME).delete()


def on_post_migrate(sender, app_config=None, apps=None, using="default", **kwargs):
    from django.db import DEFAULT_DB_ALIAS

    if using != DEFAULT_DB_ALIAS or apps is None:
        return
    try:
        apps.get_model("tenants", "ScreeningSettings")
        apps.get_model("django_celery_beat", "PeriodicTask")
    except LookupError:  # migrating backwards, or the tables do not exist yet
        return
    ensure_schedules(apps)
