"""Sweeps started by celery beat (through tasks.py): lapse unconfirmed guest places, remind
7 days and 1 day before, complete ended events and thank attendees. Each selects what is due in a
bounded number of queries and writes outbox rows with deterministic keys, so a second run sends
nothing twice."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from kitb_portal.dashboard.cached import changed as dashboard_changed
from kitb_portal.notifications.services import Attachment, notify

from .. import emails, links
from ..models import Event, EventStatus, Registration, RegistrationStatus
from .documents import certificate_for, certificate_pdf
from .events import event_complete

logger = logging.getLogger(__name__)

REMINDER_DAYS = (7, 1)
THANKS_WITHIN_DAYS = 14


def registration_expire_lapsed(*, now=None) -> int:
    """Unconfirmed guest places lapse after 24 hours."""
    now = now or timezone.now()
    with transaction.atomic():
        lapsed = list(
            Registration.objects.select_for_update(skip_locked=True).filter(
                status=RegistrationStatus.PENDING, expires_at__lte=now
            )
        )
        for registration in lapsed:
            registration.status = RegistrationStatus.EXPIRED
            registration.updated_at = now
        if lapsed:
            bulk_update_with_history(
                lapsed, Registration, ["status", "updated_at"], default_change_reason="lapsed (not confirmed in 24 h)"
            )
            dashboard_changed("events.Registration")  # a bulk update sends no post_save
    return len(lapsed)


def event_reminders_send(*, now=None) -> int:
    """Reminders 7 days and 1 day before the start, once each per registration (and per time change)."""
    now = now or timezone.now()
    sent = 0
    for days in REMINDER_DAYS:
        field = f"reminded_{days}d_at"
        with transaction.atomic():
            due = list(
                Registration.objects.select_for_update(of=("self",), skip_locked=True)
                .filter(
                    status=RegistrationStatus.CONFIRMED,
                    event__status=EventStatus.PUBLISHED,
                    event__start__gt=now + dt.timedelta(days=days - 1),
                    event__start__lte=now + dt.timedelta(days=days),
                    **{f"{field}__isnull": True},
                )
                .select_related("event", "event__venue", "event__room", "user")
            )
            for registration in due:
                message = notify(
                    **emails.recipient_kwargs(registration),
                    template="events/email/event_reminder",
                    context=emails.email_context(registration, days=days),
                    key=f"event-reminder:{registration.event_id}:{days}:{registration.pk}:{registration.event.sequence}",
                    kind="event_reminder",
                )
                sent += message is not None
                setattr(registration, field, now)
            if due:
                Registration.objects.bulk_update(due, [field])
    return sent


def event_followup_send(*, now=None) -> int:
    """Complete the events that have ended, then thank attendees (with the feedback link)."""
    now = now or timezone.now()
    for event_id in Event.objects.filter(status=EventStatus.PUBLISHED, end__lte=now).values_list("pk", flat=True):
        try:
            event_complete(event_id=event_id, actor=None)
        except ValidationError:  # pragma: no cover - raced with an edit
            logger.warning("event %s could not be completed", event_id)
    sent = 0
    with transaction.atomic():
        due = list(
            Registration.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(
                status=RegistrationStatus.ATTENDED,
                thanked_at__isnull=True,
                event__status=EventStatus.COMPLETED,
                event__end__gte=now - dt.timedelta(days=THANKS_WITHIN_DAYS),
            )
            .select_related("event", "event__venue", "user")
        )
        for registration in due:
            # Everyone marked attended gets the certificate of attendance with the thanks.
            certificate = certificate_for(registration)
            message = notify(
                **emails.recipient_kwargs(registration),
                template="events/email/event_thanks",
                context=emails.email_context(registration, feedback_url=links.feedback_link(registration), certificate=True),
                key=f"event-thanks:{registration.event_id}:{registration.pk}",
                kind="event_followup",
                attachments=[Attachment(filename="certificate-of-attendance.pdf", content=certificate_pdf(certificate),
                                        mimetype="application/pdf")],
            )
            sent += message is not None
            registration.thanked_at = now
        if due:
            Registration.objects.bulk_update(due, ["thanked_at"])
    return sent
