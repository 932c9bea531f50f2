"""The hourly digest sweep as a django-celery-beat PeriodicTask (editable in the admin)."""

from django.db import migrations

from kitb_portal.notifications.schedules import create_digest_schedule, delete_digest_schedule


def create(apps, schema_editor):
    create_digest_schedule(apps, schema_editor.connection.alias)


def delete(apps, schema_editor):
    delete_digest_schedule(apps, schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_preferences_and_digest_runs"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, delete)]
