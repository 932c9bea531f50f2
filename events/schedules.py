"""Beat schedules of the events sweeps (django-celery-beat rows), created if missing by migration
0003 and after every ``migrate`` and test-database flush (kitb_portal/common/schedules.py)."""
from __future__ import annotations

from kitb_portal.common import schedules

SCHEDULES = [
    schedules.Schedule("events: lapse unconfirmed guest places", "events.tasks.registration_expire_lapsed", every_minutes=15),
    schedules.Schedule("events: reminders 7 days and 1 day before", "events.tasks.event_reminders_send", every_minutes=15),
    schedules.Schedule("events: complete ended events, thank attendees", "events.tasks.event_followup_send", every_minutes=60),
    schedules.Schedule("events: delete delegation passport data after the retention period", "events.tasks.passport_data_purge",
                       every_minutes=24 * 60),
]


def ensure_schedules(apps, using: str = "default") -> int:
    return schedules.ensure(apps, SCHEDULES, using)


def remove_schedules(apps, using: str = "default") -> None:
    schedules.remove(apps, SCHEDULES, using)


on_post_migrate = schedules.after_migrate(ensure_schedules, needs=("events.Event",))
