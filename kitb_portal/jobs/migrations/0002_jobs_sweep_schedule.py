"""Celery beat schedule of the jobs sweep (every 5 minutes), stored in the database (django-celery-beat).

It stays editable in the admin (Periodic tasks); see ``kitb_portal.jobs.schedules``.
"""

from django.db import migrations

from kitb_portal.jobs.schedules import create_schedules as _create
from kitb_portal.jobs.schedules import delete_schedules as _delete


def create_schedules(apps, schema_editor):
    _create(apps, schema_editor.connection.alias if schema_editor else "default")


def delete_schedules(apps, schema_editor):
    _delete(apps, schema_editor.connection.alias if schema_editor else "default")


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
