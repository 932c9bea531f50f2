"""Beat schedules of the events sweeps (django-celery-beat rows; reversible)."""
from django.db import migrations

TASKS = [
    # (name, task, minutes between runs)
    ("events: lapse unconfirmed guest places", "events.tasks.registration_expire_lapsed", 15),
    ("events: reminders 7 days and 1 day before", "events.tasks.event_reminders_send", 15),
    ("events: complete ended events, thank attendees", "events.tasks.event_followup_send", 60),
]


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minutes in TASKS:
        schedule, _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "interval": schedule, "enabled": True})


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _t, _m in TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_event_mou_commitment"),
        ("django_celery_beat", "0018_improve_crontab_helptext"),
    ]

    operations = [migrations.RunPython(create, remove)]
