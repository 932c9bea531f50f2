"""The screening settings row (quorum 2, overdue after 14 days) and the daily overdue sweep
(a django-celery-beat PeriodicTask on a crontab, 01:00 Asia/Jakarta)."""
from django.db import migrations


def forward(apps, schema_editor):
    from tenants.schedules import ensure_schedules

    ensure_schedules(apps)


def backward(apps, schema_editor):
    from tenants.schedules import remove_schedules

    remove_schedules(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0002_land_guards"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forward, backward)]
