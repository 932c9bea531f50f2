"""The screening settings row (quorum 2, overdue after 14 days) and the daily overdue sweep
(a django-celery-beat PeriodicTask on a crontab, 01:00 Asia/Jakarta)."""
from django.db import migrations

TASK_NAME = "tenants: overdue application reminders"


def forward(apps, schema_editor):
    ScreeningSettings = apps.get_model("tenants", "ScreeningSettings")
    ScreeningSettings.objects.get_or_create(pk=1, defaults={"quorum": 2, "overdue_days": 14})
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="1", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Jakarta",
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={"task": "tenants.tasks.application_overdue_sweep", "crontab": schedule, "enabled": True,
                  "description": "Remind reviewers and owning officers of applications overdue in their step (weekly per application)."},
    )


def backward(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0002_land_guards"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forward, backward)]
