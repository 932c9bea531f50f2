"""Every periodic job is a celery beat schedule stored in the database, created by a migration,
visible and editable in the admin."""
from __future__ import annotations

import importlib

import pytest
from django.apps import apps as global_apps
from django.db import connection
from django.db.migrations import RunPython
from django.urls import reverse
from django.utils.module_loading import import_string
from django_celery_beat.models import PeriodicTask

# (migration module, the periodic tasks it creates: name -> task)
SCHEDULE_MIGRATIONS = {
    "kitb_portal.notifications.migrations.0003_outbox_periodic_tasks": {
        "Outbox: re-queue due messages and re-open stale claims": "kitb_portal.notifications.tasks.outbox_sweep",
        "Outbox: delete sent messages older than the retention period": "kitb_portal.notifications.tasks.outbox_purge_sent",
    },
    "kitb_portal.notifications.migrations.0005_digest_periodic_task": {
        "Digests: build the daily and weekly digests due this hour": "kitb_portal.notifications.tasks.digests_send_due",
    },
    "partnerships.migrations.0002_reminders_periodic_task": {
        "partnerships: daily reminders sweep": "partnerships.tasks.reminders_sweep",
    },
    "events.migrations.0003_periodic_tasks": {
        "events: lapse unconfirmed guest places": "events.tasks.registration_expire_lapsed",
        "events: reminders 7 days and 1 day before": "events.tasks.event_reminders_send",
        "events: complete ended events, thank attendees": "events.tasks.event_followup_send",
        "events: delete delegation passport data after the retention period": "events.tasks.passport_data_purge",
    },
    "tenants.migrations.0003_settings_and_sweep": {
        "tenants: overdue application reminders": "tenants.tasks.application_overdue_sweep",
    },
    "tenants.migrations.0009_tenant_projects_and_milestones": {
        "tenants: projects at risk reminders": "tenants.tasks.project_at_risk_sweep",
    },
}
EXPECTED = {name: task for tasks in SCHEDULE_MIGRATIONS.values() for name, task in tasks.items()}


def run_forward(module_path: str) -> None:
    """Run the data (RunPython) operations of one migration, as ``migrate`` does."""
    module = importlib.import_module(module_path)
    with connection.schema_editor(atomic=False) as schema_editor:
        for operation in module.Migration.operations:
            if isinstance(operation, RunPython):
                operation.code(global_apps, schema_editor)


@pytest.mark.django_db
def test_each_periodic_job_is_created_by_its_apps_migration():
    PeriodicTask.objects.all().delete()

    for module_path, tasks in SCHEDULE_MIGRATIONS.items():
        run_forward(module_path)
        created = dict(PeriodicTask.objects.filter(name__in=tasks).values_list("name", "task"))
        assert created == tasks, module_path

    assert dict(PeriodicTask.objects.values_list("name", "task")) == EXPECTED
    for task in EXPECTED.values():  # each names a real Celery task
        assert callable(import_string(task)) and import_string(task).name == task
    digest = PeriodicTask.objects.get(task="kitb_portal.notifications.tasks.digests_send_due")
    assert digest.enabled and digest.crontab.minute == "0" and digest.crontab.hour == "*"


@pytest.mark.django_db
def test_the_schedules_are_listed_and_editable_in_the_admin(staff_client):
    for module_path in SCHEDULE_MIGRATIONS:
        run_forward(module_path)  # present whatever earlier (transactional) tests left
    page = staff_client.get(reverse("admin:django_celery_beat_periodictask_changelist"))
    assert page.status_code == 200
    for name in EXPECTED:
        assert name.encode() in page.content, name

    digest = PeriodicTask.objects.get(task="kitb_portal.notifications.tasks.digests_send_due")
    change = staff_client.get(reverse("admin:django_celery_beat_periodictask_change", args=[digest.pk]))
    assert change.status_code == 200 and b'name="enabled"' in change.content
