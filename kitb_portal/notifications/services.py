"""Writing to the outbox. Delivery lives in ``delivery.py`` and ``tasks.py``.

Usage from any app's service, inside its transaction::

    notify(recipient=user, template="partnerships/email/mou_expiry",
           context={"mou": mou, "days": 30}, key=f"mou-expiry:{mou.pk}:30:{user.pk}",
           kind="mou_expiry")

The message is rendered at once in the recipient's language (``<template>_subject.txt``,
``<template>.txt`` and, if it exists, ``<template>.html``), stored as one outbox row per unique
key (a second call with the same key writes nothing and returns ``None``), and its delivery is
queued after the surrounding transaction commits.

The other services here keep the outbox moving: :func:`outbox_retry` (staff, from the admin),
:func:`outbox_sweep` (celery beat, every minute) and :func:`outbox_purge_sent` (daily).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from . import kinds
from .delivery import max_attempts, outbox_setting
from .models import DeliveryAttempt, OutboxMessage
from .permissions import can_retry_outbox_message
from .preference_services import preference_unsubscribe, preference_update
from .rendering import (
    Attachment,
    Envelope,
    RecipientPreferences,
    envelope_for,
    preferences_url,
    render_message,
    render_subject,
    render_with_footer,
)

__all__ = [
    "Attachment", "Envelope", "RecipientPreferences", "SweepResult", "enqueue_delivery", "envelope_for", "notify",
    "outbox_purge_sent", "outbox_retry", "outbox_sweep", "preference_unsubscribe", "preference_update", "preferences_url",
    "render_message", "render_subject", "render_with_footer",
]

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status

# Defaults of the tunables; settings (OUTBOX_*) override them.
DEFAULT_CLAIM_LEASE_SECONDS = 10 * 60
DEFAULT_REQUEUE_AFTER_SECONDS = 5 * 60
DEFAULT_RETENTION_DAYS = 180
SWEEP_BATCH_SIZE = 1000


def notify(
    *,
    recipient=None,
    template: str,
    context: dict,
    key: str,
    kind: str = "general",
    email: str | None = None,
    language: str | None = None,
    attachments: list[Attachment] | None = None,
    headers: dict | None = None,
    mandatory: bool = False,
    mandatory_reason: str | None = None,
) -> OutboxMessage | None:
    """Write one outbox row for ``key`` and queue its delivery on commit.

    ``recipient`` is a user; for a guest who has no account, pass ``email`` and ``language``.
    Returns the new row, or ``None`` when a row with this key already exists, or when the
    recipient switched this ``kind`` off (see ``kinds.py``) and the message is not ``mandatory``.

    A one-time link (password reset, invitation, a guest's registration link) goes into ``context``
    as a :class:`~.secrets.SecretRef`, never as the link itself: the row stores a placeholder and
    the reference, and delivery makes the link (see ``secrets.py``).

    ``mandatory=True``: a message the person must receive by their role (the expiry of an MoU they
    own); it is sent whatever their preferences say, and its footer says why it cannot be switched
    off (``mandatory_reason``, else the kind's reason). Every other message to a user carries a
    one-click unsubscribe link for its kind and the ``List-Unsubscribe`` headers (RFC 8058). The
    e-mail language is the one the person chose for e-mail, else their preferred language.
    """
    if recipient is None and not email:
        raise ValueError("notify() needs a recipient or an e-mail address.")
    mandatory = mandatory or not kinds.is_optional(kind)
    preferences = None
    if recipient is not None and recipient.pk:
        # One query for both questions: is the key taken, and what did the person choose?
        row = (
            get_user_model()._default_manager.filter(pk=recipient.pk)  # recipient may be request.user (lazy)
            .annotate(key_taken=Exists(OutboxMessage.objects.filter(key=key)))
            .values_list(
                "key_taken", "notification_preference__email_language",
                "notification_preference__digest_frequency", "notification_preference__muted_kinds",
            )
            .first()
        )
        if row is not None:
            if row[0]:
                return None
            preferences = RecipientPreferences.from_values(*row[1:])
        if preferences is not None and not mandatory and not preferences.receives(kind):
            logger.info("outbox: %s not written, %s switched %s off", key, recipient.pk, kind)
            return None
    elif OutboxMessage.objects.filter(key=key).exists():
        return None
    to_email = email or recipient.email
    envelope = envelope_for(
        recipient=recipient, kind=kind, mandatory=mandatory, preferences=preferences, language=language,
        mandatory_reason=mandatory_reason,
    )
    subject, text, html, secret_refs = render_with_footer(template, {"recipient": recipient, **context}, envelope)
    try:
        with transaction.atomic():  # savepoint: a duplicate key must not break the caller's transaction
            message = OutboxMessage.objects.create(
                key=key,
                kind=kind,
                recipient=recipient,
                to_email=to_email or "",
                language=envelope.language,
                template=template,
                subject=subject,
                body_text=text,
                body_html=html,
                headers={**envelope.headers, **(headers or {})},
                attachments=[a.as_json() for a in attachments or []],
                secret_refs=secret_refs,
            )
    except IntegrityError:
        return None  # another transaction wrote this key first
    transaction.on_commit(lambda: enqueue_delivery(message.pk))
    return message


def enqueue_delivery(*message_ids: int) -> None:
    """Queue the delivery task of each row. Call it on commit, never inside a transaction.

    A broker that is down must not turn a committed change into an error page: the row is safe in
    PostgreSQL and the sweep queues it again, so a failed publish is logged, not raised.
    """
    from .tasks import outbox_deliver

    for message_id in message_ids:
        try:
            outbox_deliver.delay(message_id)
        except Exception:  # the sweep re-queues what could not be queued now
            logger.exception("outbox %s: could not queue delivery; the sweep will queue it again", message_id)


@transaction.atomic
def outbox_retry(*, message_id: int, actor) -> OutboxMessage:
    """Send a failed message again: back to pending with a fresh set of attempts, queued on commit.

    The attempt counter keeps the total (the admin shows every try); only the attempts made after
    this retry count against ``OUTBOX_MAX_ATTEMPTS``. Raises ``PermissionDenied`` if ``actor`` may
    not retry, ``ValidationError`` if the message is not failed.
    """
    message = OutboxMessage.objects.select_for_update().get(pk=message_id)
    if not can_retry_outbox_message(actor, message):
        raise PermissionDenied(_("You may not retry outbox messages."))
    if message.status != Status.FAILED:
        raise ValidationError(
            _("Only failed messages can be retried; %(key)s is %(status)s.")
            % {"key": message.key, "status": message.get_status_display()}
        )
    message.status = Status.PENDING
    message.next_attempt_at = timezone.now()
    message.attempts_before_manual_retry = message.attempts
    message.save(update_fields=["status", "next_attempt_at", "attempts_before_manual_retry", "updated_at"])
    LogEntry.objects.log_actions(
        user_id=actor.pk, queryset=[message], action_flag=CHANGE,
        change_message=f"Retried (was failed after {message.attempts} attempts: {message.last_error[:200]})",
        single_object=True,
    )
    transaction.on_commit(lambda: enqueue_delivery(message.pk))
    return message


@dataclass
class SweepResult:
    reopened: list[int] = field(default_factory=list)  # stale claims put back to pending
    failed: list[int] = field(default_factory=list)  # stale claims whose attempts were exhausted
    requeued: list[int] = field(default_factory=list)  # pending rows whose delivery was queued again


def outbox_sweep(*, now=None, lease_seconds: float | None = None, requeue_after_seconds: float | None = None,
                 batch_size: int = SWEEP_BATCH_SIZE) -> SweepResult:
    """Keep the outbox moving when a delivery task was lost. Celery beat runs it every minute.

    1. **Stale claims.** A worker killed after claiming a row (SIGKILL, OOM, a lost host) leaves it
       ``sending``. A claim older than the lease (``OUTBOX_CLAIM_LEASE_SECONDS``, 10 minutes) is
       taken for a lost worker: the row goes back to ``pending`` (or to ``failed`` if its attempts are
       exhausted) and a ``DeliveryAttempt`` records "claim expired".
    2. **Lost tasks.** A pending row whose due time (``next_attempt_at``, else ``created_at``) is
       older than ``OUTBOX_REQUEUE_AFTER_SECONDS`` (5 minutes) has evidently lost its task (broker
       down at commit time, a worker killed holding the unacknowledged message, which Redis only
       redelivers after its visibility timeout). Its delivery is queued again and its
       ``next_attempt_at`` set to now, so the next sweeps leave it alone for another grace period.

    Rows are picked with ``SELECT ... FOR UPDATE SKIP LOCKED`` (at most ``batch_size`` of each kind
    per run), so sweeps running at the same time take disjoint rows, and the number of queries does
    not depend on the number of rows. A duplicate task is harmless: the claim lets one through.

    **At-least-once window, honestly.** Delivery is exactly-once except in one case: a worker that
    handed the message to the SMTP server and died (or lost its database) *before* it recorded
    ``sent``. Nothing can tell that apart from a worker that died before sending, so after the lease
    the message is sent again. The window is the time between the SMTP server's "250 OK" and the
    commit of the ``sent`` update (milliseconds), and a send that takes longer than the lease would
    widen it: keep the lease well above ``EMAIL_TIMEOUT`` times the few SMTP round trips of one send.
    Both sends carry the same Message-ID, which many mail clients use to show the message once.
    """
    now = now or timezone.now()
    lease = float(outbox_setting("OUTBOX_CLAIM_LEASE_SECONDS", DEFAULT_CLAIM_LEASE_SECONDS) if lease_seconds is None else lease_seconds)
    grace = float(
        outbox_setting("OUTBOX_REQUEUE_AFTER_SECONDS", DEFAULT_REQUEUE_AFTER_SECONDS)
        if requeue_after_seconds is None else requeue_after_seconds
    )
    result = SweepResult()
    limit = max_attempts()

    with transaction.atomic():
        stale = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=Status.SENDING, claimed_at__lt=now - timedelta(seconds=lease))
            .order_by("claimed_at")
            .values_list("pk", "attempts", "attempts_before_manual_retry", "claimed_at")[:batch_size]
        )
        attempts_log = []
        for pk, attempts, base, claimed_at in stale:
            error = f"temporary: claim of {claimed_at:%Y-%m-%d %H:%M:%S} UTC expired; the worker was lost, outcome unknown"
            attempts_log.append(DeliveryAttempt(message_id=pk, succeeded=False, error=error))
            (result.failed if attempts - base >= limit else result.reopened).append(pk)
        if result.reopened:
            OutboxMessage.objects.filter(pk__in=result.reopened, status=Status.SENDING).update(
                status=Status.PENDING, next_attempt_at=now, updated_at=now,
                last_error="claim expired: the worker was lost before it recorded the result",
            )
        if result.failed:
            OutboxMessage.objects.filter(pk__in=result.failed, status=Status.SENDING).update(
                status=Status.FAILED, updated_at=now,
                last_error=f"gave up after {limit} attempts; last error: claim expired, the worker was lost",
            )
        DeliveryAttempt.objects.bulk_create(attempts_log)

    with transaction.atomic():
        due = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=Status.PENDING)
            .alias(due_at=Coalesce("next_attempt_at", "created_at"))
            .filter(due_at__lte=now - timedelta(seconds=grace))
            .order_by("due_at")
            .values_list("pk", flat=True)[:batch_size]
        )
        if due:
            OutboxMessage.objects.filter(pk__in=due).update(next_attempt_at=now, updated_at=now)
        result.requeued = due
        to_queue = [*result.reopened, *due]
        if to_queue:
            transaction.on_commit(lambda: enqueue_delivery(*to_queue))

    if stale or due:
        logger.info(
            "outbox sweep: %s stale claims re-opened, %s failed, %s pending re-queued",
            len(result.reopened), len(result.failed), len(result.requeued),
        )
    return result


def outbox_purge_sent(*, older_than_days: int | None = None, now=None, batch_size: int = SWEEP_BATCH_SIZE) -> int:
    """Delete sent messages (with their attempts) sent more than ``OUTBOX_RETENTION_DAYS`` ago.

    Failed and pending rows are kept: someone should look at them. Deleting a row frees its
    idempotency key, so a reminder sweep must never select something whose key is older than the
    retention (reminders look at most a few months ahead, the retention is 180 days).
    Returns the number of messages deleted.
    """
    days = int(outbox_setting("OUTBOX_RETENTION_DAYS", DEFAULT_RETENTION_DAYS) if older_than_days is None else older_than_days)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(
                OutboxMessage.objects.filter(status=Status.SENT, sent_at__lt=cutoff)
                .order_by("pk").values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            # .only("pk"): the collector need not load the bodies; attempts go by cascade.
            _total, per_model = OutboxMessage.objects.filter(pk__in=ids).only("pk").delete()
            deleted += per_model.get(OutboxMessage._meta.label, 0)
    if deleted:
        logger.info("outbox purge: %s sent messages older than %s days deleted", deleted, days)
    return deleted
