"""Celery beat schedules of the outbox, stored in the database (django-celery-beat).

- every minute: ``outbox_sweep`` re-queues pending messages that are due and re-opens stale claims;
- every day at 02:30 WIB: ``outbox_purge_sent`` deletes sent messages older than the retention.

Both stay editable in the admin (Periodic tasks); see ``kitb_portal.notifications.schedules``.
"""

from django.db import migrations

from kitb_portal.notifications.schedules import create_schedules as _create
from kitb_portal.notifications.schedules import delete_schedules as _delete


def create_schedules(apps, schema_editor):
    _create(apps, schema_editor.connection.alias if schema_editor else "default")


def delete_schedules(apps, schema_editor):
    _delete(apps, schema_editor.connection.alias if schema_editor else "default")


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_claim_and_manual_retry"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
