"""The daily reminders sweep as a django-celery-beat PeriodicTask (06:00 Asia/Jakarta)."""
from django.db import migrations


def create_task(apps, schema_editor):
    from partnerships.schedules import create_schedule

    create_schedule(apps, using=schema_editor.connection.alias)


def remove_task(apps, schema_editor):
    from partnerships.schedules import delete_schedule

    delete_schedule(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_task, remove_task)]
