"""The daily sweep: applications sitting in one step too long remind their people, once a week."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kitb_portal.notifications.models import OutboxMessage
from kitb_portal.notifications.services import notify

from ..models import ScreeningSettings
from ..selectors import overdue_applications


def overdue_reminder_key(application, week: int, user) -> str:
    # A status is visited once (the workflow has no loops), so status + overdue week identify a reminder.
    return f"application-overdue:{application.pk}:{application.status}:{week}:{user.pk}"


@transaction.atomic
def application_overdue_sweep(*, now: datetime | None = None) -> int:
    """Remind the assigned reviewers whose review is still pending and the owning officer of every
    application that has sat in its step longer than ``ScreeningSettings.overdue_days``; at most once
    per overdue week (deterministic outbox key with the week number). Returns the number of e-mails
    queued. Queries: settings, applications (+ assignments), existing keys, then one insert per new
    e-mail; running it twice in the same week queues nothing."""
    now = now or timezone.now()
    config = ScreeningSettings.load()
    planned = []
    for application in overdue_applications(now=now, overdue_days=config.overdue_days):
        in_step = now - application.status_changed_at
        week = (in_step - timedelta(days=config.overdue_days)).days // 7
        people = [a.reviewer for a in application.assignments.all() if a.reviewer.is_active and a.review.submitted_at is None]
        if application.owning_officer is not None and application.owning_officer.is_active:
            people.append(application.owning_officer)
        seen = set()
        for user in people:
            if user.pk in seen:
                continue
            seen.add(user.pk)
            planned.append((overdue_reminder_key(application, week, user), user, application, in_step.days))
    existing = set(OutboxMessage.objects.filter(key__in=[p[0] for p in planned]).values_list("key", flat=True)) if planned else set()
    sent = 0
    for key, user, application, days in planned:
        if key in existing:
            continue
        message = notify(
            recipient=user, template="tenants/email/overdue_reminder",
            context={"application": application, "days": days,
                     "admin_url": settings.SITE_URL + reverse("admin:tenants_application_change", args=[application.pk])},
            key=key, kind="application_overdue", mandatory=True,
        )
        sent += message is not None
    return sent
