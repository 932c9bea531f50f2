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

import base64
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists
from django.db.models.functions import Coalesce
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from . import kinds, secrets, tokens
from .delivery import max_attempts, outbox_setting
from .models import DeliveryAttempt, OutboxMessage
from .permissions import can_retry_outbox_message

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status

# Defaults of the tunables; settings (OUTBOX_*) override them.
DEFAULT_CLAIM_LEASE_SECONDS = 10 * 60
DEFAULT_REQUEUE_AFTER_SECONDS = 5 * 60
DEFAULT_RETENTION_DAYS = 180
SWEEP_BATCH_SIZE = 1000


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"

    def as_json(self) -> dict:
        return {"filename": self.filename, "mimetype": self.mimetype, "content_b64": base64.b64encode(self.content).decode()}


def render_subject(template: str, context: dict, language: str) -> str:
    """The subject line of ``template`` in ``language``: one line, at most 255 characters."""
    ctx = {"SITE_URL": settings.SITE_URL, "LANGUAGE_CODE": language, **context}
    with translation.override(language):
        return " ".join(render_to_string(f"{template}_subject.txt", ctx).split())[:255]


def render_message(template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Render subject, plain text and HTML of ``template`` in ``language``."""
    ctx = {"SITE_URL": settings.SITE_URL, "LANGUAGE_CODE": language, **context}
    subject = render_subject(template, context, language)
    with translation.override(language):
        text = render_to_string(f"{template}.txt", ctx)
        try:
            html = render_to_string(f"{template}.html", ctx)
        except TemplateDoesNotExist:
            html = ""
    return subject, text, html


@dataclass(frozen=True)
class RecipientPreferences:
    """The parts of a person's preferences that notify() needs (defaults when they saved none)."""

    email_language: str = ""
    digest_frequency: str = "weekly"
    muted_kinds: tuple[str, ...] = ()

    @classmethod
    def from_values(cls, language, frequency, muted) -> RecipientPreferences:
        if frequency is None:  # no preference row
            return cls()
        return cls(email_language=language or "", digest_frequency=frequency, muted_kinds=tuple(muted or ()))

    def receives(self, kind: str) -> bool:
        """Whether an optional message of ``kind`` may be sent (mandatory ones always are)."""
        if kind == kinds.DIGEST:
            return self.digest_frequency != "off" and kind not in self.muted_kinds
        return kind not in self.muted_kinds


@dataclass(frozen=True)
class Envelope:
    """How one message to one person goes out: language, footer context and headers."""

    language: str
    context: dict
    headers: dict
    secret_refs: dict = field(default_factory=dict)  # references of placeholders in the headers


def envelope_for(*, recipient, kind: str, mandatory: bool, preferences: RecipientPreferences | None,
                 language: str | None = None, mandatory_reason: str | None = None) -> Envelope:
    """Language, footer (unsubscribe link or "cannot be switched off") and headers of a message.

    Shared by :func:`notify` and the digest builder, which looks the preferences up in bulk.
    ``mandatory`` here is already the final answer (the caller's flag, or a kind that is not optional).
    """
    lang = (
        language
        or (preferences.email_language if preferences else "")
        or getattr(recipient, "preferred_language", None)
        or settings.LANGUAGE_CODE
    )
    context: dict = {}
    headers: dict = {}
    refs: dict = {}
    if mandatory:
        context["mandatory_notice"] = mandatory_reason or kinds.mandatory_reason(kind)
    elif recipient is not None and recipient.pk:
        context[tokens.UNSUBSCRIBE_URL], headers, refs = tokens.unsubscribe_headers(recipient.pk, kind)
        context["preferences_url"] = preferences_url(recipient)
    return Envelope(language=lang, context=context, headers=headers, secret_refs=refs)


def preferences_url(user) -> str:
    """Where a person changes what they receive: the admin page for staff, the portal page for partners."""
    from django.urls import reverse

    name = "admin:notifications_notificationpreference_mine" if user.is_staff else "portal:notification_preferences"
    return settings.SITE_URL + reverse(name)


def render_with_footer(template: str, context: dict, envelope: Envelope) -> tuple[str, str, str, dict]:
    """Render the message; a mandatory notice the base templates did not show is added at the end.

    Returns ``(subject, text, html, secret_refs)``: every :class:`~.secrets.SecretRef` of the
    context (and the envelope's) is rendered as a placeholder that delivery fills in.
    """
    context, refs = secrets.extract({**context, **envelope.context})
    refs.update(envelope.secret_refs)
    subject, text, html = render_message(template, context, envelope.language)
    notice = envelope.context.get("mandatory_notice")
    if notice:
        with translation.override(envelope.language):
            notice = str(notice)
        if notice not in text:
            text = f"{text.rstrip()}\n\n{notice}\n"
        if html and escape(notice) not in html:
            paragraph = f'<p style="font-size: 12px; color: #52606d;">{escape(notice)}</p>'
            html = html.replace("</body>", paragraph + "</body>", 1) if "</body>" in html else html + paragraph
    return subject, text, html, refs


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


# --- preferences ----------------------------------------------------------------------------


def _locked_preference(user):
    """The person's preference row, locked; an unsaved one with the defaults if they have none."""
    from .models import NotificationPreference

    return NotificationPreference.objects.select_for_update().filter(user=user).first() or NotificationPreference(user=user)


def _save_preference(preference, *, actor, reason: str) -> None:
    """Save with history (who and why); a first save that meets a simultaneous one updates that row."""
    from .models import NotificationPreference

    preference._history_user = actor
    preference._change_reason = reason
    preference.full_clean(exclude=["user"])
    if preference.pk is None:
        try:
            with transaction.atomic():
                preference.save()
            return
        except IntegrityError:  # the person saved twice at the same moment: the later choice wins
            preference.pk = NotificationPreference.objects.select_for_update().get(user=preference.user).pk
            preference._state.adding = False
    preference.save()


@transaction.atomic
def preference_update(*, actor, user, email_language: str, digest_frequency: str, received_kinds):
    """Save what ``user`` wants to receive: e-mail language, digest frequency, and the optional kinds
    (of those their page offers) they still receive; the others offered are switched off.

    Kinds the page does not offer (another audience's, unknown ones already muted) keep their state.
    ``actor`` is the person themselves, or staff who may change notification preferences.
    """
    from .permissions import can_change_preferences

    if not can_change_preferences(actor, user):
        raise PermissionDenied(_("You may not change this person's notification preferences."))
    offered = {k.code for k in kinds.choosable(staff=user.is_staff)}
    received = set(received_kinds)
    unknown = received - offered
    if unknown:
        raise ValidationError({"received_kinds": _("Unknown message kinds: %(kinds)s.") % {"kinds": ", ".join(sorted(unknown))}})
    preference = _locked_preference(user)
    kept = [code for code in preference.muted_kinds if code not in offered]
    preference.email_language = email_language
    preference.digest_frequency = digest_frequency
    preference.muted_kinds = sorted(set(kept) | (offered - received))
    _save_preference(preference, actor=actor, reason="preferences changed")
    return preference


@transaction.atomic
def preference_unsubscribe(*, user_id: int, kind: str) -> tuple[object, bool]:
    """Switch ``kind`` off for a person (the unsubscribe link; the signed token is the authority).

    ``digest`` turns the digest off. Returns ``(user, changed)``; a kind that cannot be switched off
    raises ``ValidationError``, an unknown or inactive person ``PermissionDenied``.
    """
    from django.contrib.auth import get_user_model

    from .models import DigestFrequency

    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise PermissionDenied(_("This link no longer belongs to an active account."))
    if not kinds.is_optional(kind):
        raise ValidationError(_("These messages cannot be switched off."))
    preference = _locked_preference(user)
    if kind == kinds.DIGEST:
        changed = preference.digest_frequency != DigestFrequency.OFF
        preference.digest_frequency = DigestFrequency.OFF
    else:
        changed = kind not in preference.muted_kinds
        if changed:
            preference.muted_kinds = sorted({*preference.muted_kinds, kind})
    if changed:
        _save_preference(preference, actor=user, reason=f"unsubscribed from {kind} by e-mail link")
    return user, changed
