"""The daily reminders sweep as a django-celery-beat PeriodicTask (06:00 Asia/Jakarta), created if missing.

Called by migration 0002 (historical models) and after every ``migrate`` and test-database flush
(post_migrate, current models), so the schedule exists even after a transactional test emptied the
tables. An existing row is never changed: what staff edit in the admin (time, enabled) stays.
"""
from __future__ import annotations

from django.utils import timezone

TASK_NAME = "partnerships: daily reminders sweep"
TASK = "partnerships.tasks.reminders_sweep"


def create_schedule(apps, using: str = "default") -> bool:
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    if PeriodicTask.objects.using(using).filter(name=TASK_NAME).exists():
        return False
    schedule, _ = CrontabSchedule.objects.using(using).get_or_create(
        minute="0", hour="6", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Jakarta",
    )
    PeriodicTask.objects.using(using).create(
        name=TASK_NAME, task=TASK, crontab=schedule, enabled=True,
        description="MoU expiry (90/30/7 days before) and commitment reminders (14 days before, due date, weekly "
                    "while overdue); also expires or automatically renews MoUs past their expiry date.",
    )
    # tell a running DatabaseScheduler that the schedule changed (model signals do not fire here)
    PeriodicTasks.objects.using(using).update_or_create(ident=1, defaults={"last_update": timezone.now()})
    return True


def delete_schedule(apps, using: str = "default") -> None:
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.using(using).filter(name=TASK_NAME).delete()


def ensure_schedule_after_migrate(sender, using="default", apps=None, **kwargs) -> None:
    """post_migrate receiver (also runs after a test-database flush)."""
    from django.apps import apps as global_apps
    from django.db import connections

    if "django_celery_beat_periodictask" not in connections[using].introspection.table_names():
        return  # django_celery_beat not migrated (yet)
    create_schedule(global_apps, using=using)
