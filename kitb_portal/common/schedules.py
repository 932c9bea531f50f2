"""Celery beat schedules as django-celery-beat rows: the one way every app installs its own.

An app lists its periodic tasks as :class:`Schedule` values and calls :func:`ensure` from a data
migration (with the historical models) and from a ``post_migrate`` receiver made by
:func:`after_migrate` (after every ``migrate`` and test-database flush), so the rows exist even
after a transactional test emptied the tables. A missing row is created; an existing one is never
changed, so what staff edit in the admin (interval, crontab, enabled) stays. A deleted row comes
back at the next ``migrate``: to stop a task, untick "enabled".
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

EVERY = "*"


@dataclass(frozen=True)
class Schedule:
    """One periodic task: every ``every_minutes`` minutes, or at ``crontab`` (fields left out are ``*``)."""

    name: str
    task: str
    every_minutes: int | None = None
    crontab: dict[str, str] = field(default_factory=dict)  # e.g. {"minute": "0", "hour": "6", "timezone": "Asia/Jakarta"}
    description: str = ""
    expire_seconds: int | None = None  # a run that waited longer than this in the queue is dropped

    def __post_init__(self):
        if (self.every_minutes is None) == (not self.crontab):
            raise ValueError(f"schedule {self.name!r}: give every_minutes or crontab, not both or neither")


def _touch(apps, using: str) -> None:
    """Tell a running DatabaseScheduler that the schedule changed (model signals do not fire here)."""
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTasks.objects.using(using).update_or_create(ident=1, defaults={"last_update": timezone.now()})


def ensure(apps, schedules: list[Schedule], using: str = "default") -> int:
    """Create the periodic tasks of ``schedules`` that do not exist; return how many were created."""
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    tasks = apps.get_model("django_celery_beat", "PeriodicTask").objects.using(using)
    created = 0
    for schedule in schedules:
        if tasks.filter(name=schedule.name).exists():
            continue
        when = {}
        if schedule.every_minutes is not None:
            when["interval"], _ = IntervalSchedule.objects.using(using).get_or_create(every=schedule.every_minutes, period="minutes")
        else:
            fields = {"minute": EVERY, "hour": EVERY, "day_of_week": EVERY, "day_of_month": EVERY, "month_of_year": EVERY,
                      "timezone": "UTC", **schedule.crontab}
            when["crontab"], _ = CrontabSchedule.objects.using(using).get_or_create(**fields)
        tasks.create(name=schedule.name, task=schedule.task, enabled=True, description=schedule.description,
                     expire_seconds=schedule.expire_seconds, **when)
        created += 1
    if created:
        _touch(apps, using)
    return created


def remove(apps, schedules: list[Schedule], using: str = "default") -> None:
    """Delete the periodic tasks of ``schedules`` (a migration's reverse)."""
    apps.get_model("django_celery_beat", "PeriodicTask").objects.using(using).filter(name__in=[s.name for s in schedules]).delete()
    _touch(apps, using)


def after_migrate(ensure_function, *, needs: tuple[str, ...]):
    """A ``post_migrate`` receiver that calls ``ensure_function(apps, using)`` once the models named in
    ``needs`` ("app_label.Model") and django-celery-beat's exist; not when migrating backwards."""

    def receiver(sender, apps=None, using="default", plan=None, **kwargs) -> None:
        from django.apps import apps as global_apps

        if plan and all(backwards for _migration, backwards in plan):
            return  # migrating backwards: leave what the reversed migrations removed
        apps = apps or global_apps  # a test-database flush sends no apps
        try:
            for label in ("django_celery_beat.PeriodicTask", *needs):
                apps.get_model(label)
        except LookupError:  # migrated to a state without these tables
            return
        ensure_function(apps, using)

    return receiver
