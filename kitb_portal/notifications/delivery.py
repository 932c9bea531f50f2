"""Sending one outbox row: claim it, build the e-mail, hand it to the mail backend, record the try.

The life of a row::

    pending ──claim──▶ sending ──sent──▶ sent
       ▲                  │
       │  temporary error │ (SMTP 4xx, refused connection, timeout, disconnect)
       └──────────────────┤   next_attempt_at = now + backoff, until OUTBOX_MAX_ATTEMPTS
                          │
                          └── permanent error (SMTP 5xx, no or invalid address) or attempts
                              exhausted ──▶ failed (last_error says why; the admin can retry)

The claim is a conditional ``UPDATE ... WHERE status = 'pending' AND due`` that must touch exactly
one row, so two workers (or a task delivered twice by the broker, which ``acks_late`` allows) never
both send a row. Every try leaves a :class:`~.models.DeliveryAttempt`.

Delivery is *at most once per claim* and *at least once overall*; see
:func:`kitb_portal.notifications.services.outbox_sweep` for the one window in which a message can
go out twice.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import random
import smtplib
import socket
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import BadHeaderError, EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import secrets
from .models import DeliveryAttempt, OutboxMessage

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status

# Defaults of the tunables; settings (OUTBOX_*) override them.
DEFAULT_RETRY_BASE_SECONDS = 30
DEFAULT_RETRY_CAP_SECONDS = 30 * 60  # below the broker's visibility timeout (1 h), see settings
DEFAULT_MAX_ATTEMPTS = 8


def outbox_setting(name: str, default):
    """An ``OUTBOX_*`` setting, or its default when settings do not define it."""
    return getattr(settings, name, default)


def max_attempts() -> int:
    return int(outbox_setting("OUTBOX_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def backoff_seconds(attempt: int, *, base: float | None = None, cap: float | None = None, rng: random.Random | None = None) -> float:
    """Seconds to wait after failed try number ``attempt`` (1-based) before the next one.

    Exponential (``base * 2**(attempt-1)``), capped at ``cap``, with "equal jitter": a random
    value between half the ceiling and the ceiling, so that messages that failed together (an SMTP
    server that was down) do not all come back in the same second.
    """
    base = float(outbox_setting("OUTBOX_RETRY_BASE_SECONDS", DEFAULT_RETRY_BASE_SECONDS) if base is None else base)
    cap = float(outbox_setting("OUTBOX_RETRY_CAP_SECONDS", DEFAULT_RETRY_CAP_SECONDS) if cap is None else cap)
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


# --- classifying errors ---------------------------------------------------------------------


class PermanentDeliveryError(Exception):
    """The message can never be delivered as it is (no address, invalid address, bad data)."""


def _smtp_reason(code: int, text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def classify_error(exc: BaseException) -> tuple[bool, str]:
    """Return ``(permanent, reason)`` for an exception raised while sending.

    Permanent: SMTP replies 5xx (to the sender, a recipient or the data), our own
    :class:`PermanentDeliveryError`, an address the backend cannot encode. Temporary: SMTP 4xx
    (greylisting, "try again later", also for a refused recipient), a lost or refused connection,
    a timeout, and anything unexpected from the transport (bounded by ``OUTBOX_MAX_ATTEMPTS``).
    """
    name = exc.__class__.__name__
    if isinstance(exc, PermanentDeliveryError):
        return True, str(exc)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = list(exc.recipients.values())
        reason = "; ".join(f"{addr}: {_smtp_reason(code, text)}" for addr, (code, text) in exc.recipients.items())
        permanent = not replies or any(code >= 500 for code, _text in replies)
        return permanent, f"recipient refused: {reason}"
    if isinstance(exc, smtplib.SMTPResponseException):  # sender refused, data refused, HELO, auth, connect
        code = int(getattr(exc, "smtp_code", 0) or 0)
        reason = f"{name}: {_smtp_reason(code, exc.smtp_error)}"
        return 500 <= code < 600, reason
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return False, f"{name}: {exc}"
    if isinstance(exc, (ConnectionError, socket.timeout, TimeoutError, OSError)):
        return False, f"{name}: {exc}"
    if isinstance(exc, (ValueError, UnicodeError, BadHeaderError)):  # Django's sanitize_address, headers
        return True, f"{name}: {exc}"
    return False, f"{name}: {exc}"


# --- building the e-mail --------------------------------------------------------------------


def _message_id(message: OutboxMessage) -> str:
    """A Message-ID that is the same on every try of one row.

    If a message ever goes out twice (see the sweep's at-least-once note), mail clients that
    de-duplicate by Message-ID show it once.
    """
    from_addr = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
    domain = from_addr.rsplit("@", 1)[-1] or "localhost"
    digest = hashlib.sha256(message.key.encode()).hexdigest()[:16]
    return f"<outbox-{message.pk}.{digest}@{domain}>"


def build_email(message: OutboxMessage, connection=None) -> EmailMultiAlternatives:
    """The multipart e-mail of an outbox row: plain text, HTML alternative, attachments, headers.

    The row's one-time links are made now from its ``secret_refs`` and exist only in this e-mail
    (see ``secrets.py``); a link that cannot be made any more fails the message permanently.
    """
    to = (message.to_email or "").strip()
    if not to:
        raise PermanentDeliveryError("no e-mail address for this recipient")
    try:
        validate_email(to)
    except ValidationError:
        raise PermanentDeliveryError(f"invalid e-mail address: {to!r}") from None
    try:
        links = secrets.resolve(message.secret_refs)
    except secrets.SecretUnavailable as exc:
        raise PermanentDeliveryError(f"the link of this message cannot be made any more: {exc}") from None
    headers = {str(k): secrets.fill(str(v), links) for k, v in (message.headers or {}).items()}
    if not any(k.lower() == "message-id" for k in headers):
        headers["Message-ID"] = _message_id(message)
    mail = EmailMultiAlternatives(
        subject=message.subject,
        body=secrets.fill(message.body_text, links),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
        connection=connection,
    )
    if message.body_html:
        mail.attach_alternative(secrets.fill(message.body_html, links, html=True), "text/html")
    for item in message.attachments or []:
        try:
            content = base64.b64decode(item["content_b64"], validate=True)
            mail.attach(item["filename"], content, item.get("mimetype") or "application/octet-stream")
        except (KeyError, TypeError, binascii.Error) as exc:
            raise PermanentDeliveryError(f"broken attachment in the outbox row: {exc.__class__.__name__}: {exc}") from None
    mail.message()  # renders headers now: a header with a newline fails here, permanently
    return mail


# --- one delivery ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What :func:`outbox_deliver_one` did.

    ``status``: ``sent``, ``retry`` (temporary failure, back to pending), ``failed``, ``skipped``
    (the row was not pending: sent, failed, or claimed by another worker) or ``not_due`` (pending
    but its next attempt is later). ``retry_in``: seconds after which the task should try again.
    """

    status: str
    retry_in: float | None = None
    error: str = ""


def outbox_claim(*, message_id: int, now=None) -> bool:
    """Claim a pending, due row for sending. True only for the one caller whose UPDATE touched it."""
    now = now or timezone.now()
    claimed = (
        OutboxMessage.objects.filter(pk=message_id, status=Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now, updated_at=now)
    )
    return claimed == 1


def outbox_deliver_one(*, message_id: int) -> Outcome:
    """Claim, send and record one outbox row. Safe to call any number of times for one row."""
    if not outbox_claim(message_id=message_id):
        row = OutboxMessage.objects.filter(pk=message_id).values("status", "next_attempt_at").first()
        if row and row["status"] == Status.PENDING and row["next_attempt_at"]:
            wait = (row["next_attempt_at"] - timezone.now()).total_seconds()
            if wait > 0:
                return Outcome("not_due", retry_in=wait)
        return Outcome("skipped")

    message = OutboxMessage.objects.get(pk=message_id)
    try:
        connection = get_connection(fail_silently=False)
        mail = build_email(message, connection=connection)
        if mail.send() != 1:
            raise PermanentDeliveryError("the mail backend accepted no recipient")
    except Exception as exc:  # every failure is classified and recorded
        permanent, reason = classify_error(exc)
        return _record_failure(message, permanent=permanent, reason=reason)
    return _record_success(message)


def _claimed_row(message: OutboxMessage):
    """The row as this worker claimed it: still 'sending' with the attempt count it set."""
    return OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING, attempts=message.attempts)


def _warn_lost_claim(message: OutboxMessage, what: str) -> None:
    logger.warning(
        "outbox %s: the claim of attempt %s was re-opened before the result (%s) was recorded; "
        "the send took longer than OUTBOX_CLAIM_LEASE_SECONDS",
        message.pk, message.attempts, what,
    )


@transaction.atomic
def _record_success(message: OutboxMessage) -> Outcome:
    now = timezone.now()
    if not _claimed_row(message).update(status=Status.SENT, sent_at=now, updated_at=now):
        _warn_lost_claim(message, "sent")
    DeliveryAttempt.objects.create(message=message, succeeded=True)
    logger.info("outbox %s sent to %s (attempt %s)", message.pk, message.to_email, message.attempts)
    return Outcome("sent")


@transaction.atomic
def _record_failure(message: OutboxMessage, *, permanent: bool, reason: str) -> Outcome:
    now = timezone.now()
    reason = reason[:2000]
    attempts_in_round = message.attempts - message.attempts_before_manual_retry
    limit = max_attempts()
    DeliveryAttempt.objects.create(message=message, succeeded=False, error=f"{'permanent' if permanent else 'temporary'}: {reason}")
    if permanent or attempts_in_round >= limit:
        last_error = reason if permanent else f"gave up after {attempts_in_round} attempts; last error: {reason}"
        if not _claimed_row(message).update(status=Status.FAILED, last_error=last_error, updated_at=now):
            _warn_lost_claim(message, "failed")
        logger.warning("outbox %s failed: %s", message.pk, last_error)
        return Outcome("failed", error=last_error)
    delay = backoff_seconds(attempts_in_round)
    if not _claimed_row(message).update(
        status=Status.PENDING, last_error=reason, next_attempt_at=now + timedelta(seconds=delay), updated_at=now
    ):
        _warn_lost_claim(message, "retry")
        return Outcome("skipped", error=reason)
    logger.info("outbox %s: temporary failure (%s), retry in %.1fs", message.pk, reason, delay)
    return Outcome("retry", retry_in=delay, error=reason)
