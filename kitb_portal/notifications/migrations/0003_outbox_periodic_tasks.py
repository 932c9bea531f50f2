"""Celery beat schedules of the outbox, stored in the database (django-celery-beat).

- every minute: ``outbox_sweep`` re-queues pending messages that are due and re-opens stale claims;
- every day at 02:30 WIB: ``outbox_purge_sent`` deletes sent messages older than the retention.

Both stay editable in the admin (Periodic tasks); this migration only creates them if missing.
"""

from django.db import migrations
from django.utils import timezone

SWEEP_NAME = "Outbox: re-queue due messages and re-open stale claims"
SWEEP_TASK = "kitb_portal.notifications.tasks.outbox_sweep"
PURGE_NAME = "Outbox: delete sent messages older than the retention period"
PURGE_TASK = "kitb_portal.notifications.tasks.outbox_purge_sent"


def _touch(apps):
    # Tell a running DatabaseScheduler that the schedule changed (signals do not fire in migrations).
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def create_schedules(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")

    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=SWEEP_NAME,
        defaults={
            "task": SWEEP_TASK,
            "interval": every_minute,
            "expire_seconds": 120,  # a sweep that waited longer than this in the queue is dropped
            "description": "Re-queues pending outbox messages whose delivery task was lost and re-opens "
            "'sending' rows whose worker died (claim older than OUTBOX_CLAIM_LEASE_SECONDS).",
        },
    )
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Jakarta"
    )
    PeriodicTask.objects.get_or_create(
        name=PURGE_NAME,
        defaults={
            "task": PURGE_TASK,
            "crontab": daily,
            "description": "Deletes sent outbox messages (and their attempts) older than OUTBOX_RETENTION_DAYS "
            "(180 by default). Failed and pending messages are kept.",
        },
    )
    _touch(apps)


def delete_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[SWEEP_NAME, PURGE_NAME]).delete()
    _touch(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_claim_and_manual_retry"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
