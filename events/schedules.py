"""Beat schedules of the events sweeps (django-celery-beat rows), created if missing.

Called by migration 0003 (historical models) and after every ``migrate`` and test-database flush
(post_migrate), so the schedules exist even after a transactional test emptied the tables. An
existing row is never changed: what staff edit in the admin stays.
"""
from __future__ import annotations

TASKS = [
    # (name, task, minutes between runs)
    ("events: lapse unconfirmed guest places", "events.tasks.registration_expire_lapsed", 15),
    ("events: reminders 7 days and 1 day before", "events.tasks.event_reminders_send", 15),
    ("events: complete ended events, thank attendees", "events.tasks.event_followup_send", 60),
    ("events: delete delegation passport data after the retention period", "events.tasks.passport_data_purge", 24 * 60),
]


def ensure_schedules(apps, using: str = "default") -> None:
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minutes in TASKS:
        if PeriodicTask.objects.using(using).filter(name=name).exists():
            continue
        schedule, _ = IntervalSchedule.objects.using(using).get_or_create(every=minutes, period="minutes")
        PeriodicTask.objects.using(using).create(name=name, task=task, interval=schedule, enabled=True)


def on_post_migrate(sender, app_config=None, apps=None, using="default", **kwargs):
    from django.db import DEFAULT_DB_ALIAS

    if using != DEFAULT_DB_ALIAS or apps is None:
        return
    try:
        apps.get_model("events", "Event")
        apps.get_model("django_celery_beat", "PeriodicTask")
    except LookupError:  # migrating backwards, or the tables do not exist yet
        return
    ensure_schedules(apps, using)
