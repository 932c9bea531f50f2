"""The outbox's celery beat schedules (django-celery-beat rows), created if missing.

Called by migration 0003 (with the historical models) and after every ``migrate`` and test-database
flush (post_migrate, with the current ones), so that the schedules exist even after a
transactional test emptied the tables. An existing row is never changed: what staff edit in the
admin (interval, crontab, enabled) stays. A deleted schedule comes back at the next ``migrate``;
to stop one, untick "enabled" instead.
"""
from __future__ import annotations

from django.utils import timezone

SWEEP_NAME = "Outbox: re-queue due messages and re-open stale claims"
SWEEP_TASK = "kitb_portal.notifications.tasks.outbox_sweep"
PURGE_NAME = "Outbox: delete sent messages older than the retention period"
PURGE_TASK = "kitb_portal.notifications.tasks.outbox_purge_sent"
DIGEST_NAME = "Digests: build the daily and weekly digests due this hour"
DIGEST_TASK = "kitb_portal.notifications.tasks.digests_send_due"


def _touch(apps, using: str) -> None:
    # Tell a running DatabaseScheduler that the schedule changed (model signals do not fire here).
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTasks.objects.using(using).update_or_create(ident=1, defaults={"last_update": timezone.now()})


def create_schedules(apps, using: str = "default") -> int:
    """Create the missing schedules; return how many periodic tasks were created."""
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    tasks = PeriodicTask.objects.using(using)
    created = 0
    if not tasks.filter(name=SWEEP_NAME).exists():
        every_minute, _ = IntervalSchedule.objects.using(using).get_or_create(every=1, period="minutes")
        tasks.create(
            name=SWEEP_NAME,
            task=SWEEP_TASK,
            interval=every_minute,
            expire_seconds=120,  # a sweep that waited longer than this in the queue is dropped
            description="Re-queues pending outbox messages whose delivery task was lost and re-opens "
            "'sending' rows whose worker died (claim older than OUTBOX_CLAIM_LEASE_SECONDS).",
        )
        created += 1
    if not tasks.filter(name=PURGE_NAME).exists():
        daily, _ = CrontabSchedule.objects.using(using).get_or_create(
            minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Jakarta"
        )
        tasks.create(
            name=PURGE_NAME,
            task=PURGE_TASK,
            crontab=daily,
            description="Deletes sent outbox messages (and their attempts) older than OUTBOX_RETENTION_DAYS "
            "(180 by default). Failed and pending messages are kept.",
        )
        created += 1
    if created:
        _touch(apps, using)
    return created


def create_digest_schedule(apps, using: str = "default") -> bool:
    """Hourly, at minute 0 (UTC): each run builds the digests of those whose 07:00 local time has come."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    tasks = PeriodicTask.objects.using(using)
    if tasks.filter(name=DIGEST_NAME).exists():
        return False
    hourly, _ = CrontabSchedule.objects.using(using).get_or_create(
        minute="0", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    tasks.create(
        name=DIGEST_NAME,
        task=DIGEST_TASK,
        crontab=hourly,
        expire_seconds=3000,  # a run that waited most of an hour in the queue is dropped; the next one catches up
        description="Daily and weekly digests: for every person whose digest time (07:00 in their time zone; "
        "Mondays for weekly) has come today and who has none for this period yet. A digest with nothing new "
        "is not sent.",
    )
    _touch(apps, using)
    return True


def delete_digest_schedule(apps, using: str = "default") -> None:
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.using(using).filter(name=DIGEST_NAME).delete()
    _touch(apps, using)


def delete_schedules(apps, using: str = "default") -> None:
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.using(using).filter(name__in=[SWEEP_NAME, PURGE_NAME]).delete()
    _touch(apps, using)


def ensure_schedules_after_migrate(sender, apps=None, using="default", plan=None, **kwargs) -> None:
    """post_migrate receiver (sent for the notifications app)."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    if plan and all(backwards for _migration, backwards in plan):
        return  # migrating backwards: leave what the reversed migrations removed
    try:
        apps.get_model("django_celery_beat", "PeriodicTask")
        apps.get_model("notifications", "OutboxMessage")
    except LookupError:  # migrated to a state without these tables
        return
    create_schedules(apps, using)
    try:
        apps.get_model("notifications", "DigestRun")
    except LookupError:  # before migration 0004
        return
    create_digest_schedule(apps, using)
