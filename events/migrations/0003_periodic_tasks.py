"""Beat schedules of the events sweeps (django-celery-beat rows; reversible)."""
from django.db import migrations


def create(apps, schema_editor):
    from events.schedules import ensure_schedules

    ensure_schedules(apps, schema_editor.connection.alias if schema_editor else "default")


def remove(apps, schema_editor):
    from events.schedules import remove_schedules

    remove_schedules(apps, schema_editor.connection.alias if schema_editor else "default")


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_event_mou_commitment"),
        ("django_celery_beat", "0018_improve_crontab_helptext"),
    ]

    operations = [migrations.RunPython(create, remove)]
