"""Beat schedules of the events sweeps (django-celery-beat rows; reversible)."""
from django.db import migrations

from events.schedules import TASKS


def create(apps, schema_editor):
    from events.schedules import ensure_schedules

    ensure_schedules(apps, schema_editor.connection.alias if schema_editor else "default")


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _t, _m in TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_event_mou_commitment"),
        ("django_celery_beat", "0018_improve_crontab_helptext"),
    ]

    operations = [migrations.RunPython(create, remove)]
