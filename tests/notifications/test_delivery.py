"""Outbox delivery against a real SMTP server (aiosmtpd on loopback), with Celery running eagerly."""
from __future__ import annotations

import random
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from kitb_portal.notifications import delivery
from kitb_portal.notifications.models import OutboxMessage
from kitb_portal.notifications.services import Attachment, notify
from tests.factories import UserFactory

from .conftest import TEMPLATE

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status


def send(user, key, *, capture, **kwargs):
    """notify() inside a transaction, running the on-commit delivery."""
    with capture(execute=True):
        return notify(recipient=user, template=TEMPLATE, context={"title": "Sample"}, key=key, **kwargs)


# --- idempotency ------------------------------------------------------------------------------


def test_same_key_twice_gives_one_row_and_one_email(partner_a, django_capture_on_commit_callbacks):
    first = send(partner_a, "test:same-key", capture=django_capture_on_commit_callbacks)
    second = send(partner_a, "test:same-key", capture=django_capture_on_commit_callbacks)

    assert first is not None and second is None
    assert OutboxMessage.objects.filter(key="test:same-key").count() == 1
    assert len(mail.outbox) == 1
    first.refresh_from_db()
    assert first.status == Status.SENT and first.sent_at is not None and first.attempts == 1


def test_delivering_a_sent_row_again_sends_nothing(partner_a, django_capture_on_commit_callbacks):
    message = send(partner_a, "test:again", capture=django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1

    outcome = delivery.outbox_deliver_one(message_id=message.pk)

    assert outcome.status == "skipped"
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.attempts == 1 and message.delivery_attempts.count() == 1


def test_claim_touches_one_row_once(partner_a):
    message = notify(recipient=partner_a, template=TEMPLATE, context={"title": "x"}, key="test:claim")
    assert delivery.outbox_claim(message_id=message.pk) is True
    assert delivery.outbox_claim(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.status == Status.SENDING and message.attempts == 1 and message.claimed_at is not None


def test_a_row_that_is_not_due_is_not_claimed(partner_a):
    message = notify(recipient=partner_a, template=TEMPLATE, context={"title": "x"}, key="test:not-due")
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=5))

    outcome = delivery.outbox_deliver_one(message_id=message.pk)

    assert outcome.status == "not_due" and 290 < outcome.retry_in <= 300
    message.refresh_from_db()
    assert message.status == Status.PENDING and message.attempts == 0
    assert len(mail.outbox) == 0


# --- the e-mail itself ------------------------------------------------------------------------


def test_multipart_email_with_attachment_headers_and_sender(smtp_server, partner_a, settings, django_capture_on_commit_callbacks):
    settings.DEFAULT_FROM_EMAIL = "KITB Portal <portal@kitb.example>"
    partner_a.preferred_language = "id"
    partner_a.save()
    send(
        partner_a, "test:multipart", capture=django_capture_on_commit_callbacks,
        attachments=[Attachment("agenda.pdf", b"%PDF-1.4 test", "application/pdf")],
        headers={"X-KITB-Kind": "test"},
    )

    [received] = smtp_server.wait_for(1)
    assert received.rcpt_tos == ["a@technopark.example"]
    assert received.mail_from == "portal@kitb.example"
    assert received.subject == "Pesan uji: Sample"
    assert "multipart/alternative" in received.content_types
    assert "text/plain" in received.content_types and "text/html" in received.content_types
    assert "Senin" in received.text and "Halo" in received.text  # Indonesian
    assert "<strong>Senin</strong>" in received.html
    assert received.attachments == [("agenda.pdf", b"%PDF-1.4 test")]
    assert received.message["X-KITB-Kind"] == "test"
    assert received.message["Message-ID"].startswith("<outbox-")


# --- temporary failures -----------------------------------------------------------------------


def test_refused_twice_with_451_then_accepted_gives_one_email_and_three_attempts(
    smtp_server, fast_retries, partner_a, django_capture_on_commit_callbacks
):
    smtp_server.refuse(2, code=451)

    message = send(partner_a, "test:451-twice", capture=django_capture_on_commit_callbacks)

    assert smtp_server.refused == 2
    [received] = smtp_server.wait_for(1)
    assert received.subject == "Test message: Sample"
    message.refresh_from_db()
    assert message.status == Status.SENT and message.sent_at is not None
    assert message.attempts == 3
    attempts = list(message.delivery_attempts.order_by("pk"))
    assert [a.succeeded for a in attempts] == [False, False, True]
    assert all("451" in a.error and a.error.startswith("temporary") for a in attempts[:2])
    assert "451" in message.last_error  # the last error stays visible after success


def test_temporary_failure_sets_backoff_and_goes_back_to_pending(smtp_server, settings, partner_a, django_capture_on_commit_callbacks):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    settings.OUTBOX_RETRY_CAP_SECONDS = 3600
    smtp_server.refuse(1, code=421, text="4.7.0 Too busy")
    before = timezone.now()

    message = send(partner_a, "test:backoff", capture=django_capture_on_commit_callbacks)

    message.refresh_from_db()
    assert message.status == Status.PENDING and message.attempts == 1
    assert "421" in message.last_error
    # first retry: between half and all of the base delay
    assert before + timedelta(seconds=29) <= message.next_attempt_at <= timezone.now() + timedelta(seconds=61)
    assert smtp_server.messages == []


def test_server_down_is_temporary_and_gives_up_after_max_attempts(smtp_server, fast_retries, partner_a, django_capture_on_commit_callbacks):
    fast_retries.OUTBOX_MAX_ATTEMPTS = 3
    smtp_server.stop()

    message = send(partner_a, "test:down", capture=django_capture_on_commit_callbacks)

    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.attempts == 3
    assert message.last_error.startswith("gave up after 3 attempts")
    assert "ConnectionRefusedError" in message.last_error
    assert message.delivery_attempts.filter(succeeded=False).count() == 3


def test_recipient_refused_with_4xx_is_temporary(smtp_server, fast_retries, partner_a, django_capture_on_commit_callbacks):
    smtp_server.refuse(1, code=450, text="4.2.1 Mailbox busy", stage="rcpt")

    message = send(partner_a, "test:rcpt-450", capture=django_capture_on_commit_callbacks)

    smtp_server.wait_for(1)
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 2
    assert "recipient refused" in message.delivery_attempts.order_by("pk").first().error


# --- permanent failures -----------------------------------------------------------------------


def test_permanent_550_fails_at_once_with_the_reason(smtp_server, fast_retries, partner_a, django_capture_on_commit_callbacks):
    smtp_server.refuse(1, code=550, text="5.7.1 Relaying denied")

    message = send(partner_a, "test:550", capture=django_capture_on_commit_callbacks)

    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.attempts == 1  # no retry
    assert "550" in message.last_error and "Relaying denied" in message.last_error
    [attempt] = message.delivery_attempts.all()
    assert not attempt.succeeded and attempt.error.startswith("permanent")
    assert smtp_server.messages == [] and smtp_server.refused == 1


def test_recipient_refused_with_5xx_is_permanent(smtp_server, fast_retries, partner_a, django_capture_on_commit_callbacks):
    smtp_server.refuse(1, code=550, text="5.1.1 No such user", stage="rcpt")

    message = send(partner_a, "test:rcpt-550", capture=django_capture_on_commit_callbacks)

    message.refresh_from_db()
    assert message.status == Status.FAILED and message.attempts == 1
    assert "recipient refused" in message.last_error and "No such user" in message.last_error


def test_invalid_address_fails_with_reason_and_the_rest_of_the_batch_goes_out(
    smtp_server, fast_retries, technopark, django_capture_on_commit_callbacks
):
    good = [UserFactory(organization=technopark, email=f"good{i}@technopark.example") for i in range(3)]
    bad = UserFactory(organization=technopark, email="not-an-address")
    empty = UserFactory(organization=technopark, email="")
    batch = [good[0], bad, good[1], empty, good[2]]

    with django_capture_on_commit_callbacks(execute=True):
        rows = [notify(recipient=u, template=TEMPLATE, context={"title": "Batch"}, key=f"test:batch:{u.pk}") for u in batch]

    received = smtp_server.wait_for(3)
    assert sorted(r for m in received for r in m.rcpt_tos) == sorted(u.email for u in good)
    states = {m.key: (m.status, m.last_error) for m in OutboxMessage.objects.filter(pk__in=[r.pk for r in rows])}
    assert states[f"test:batch:{bad.pk}"] == (Status.FAILED, "invalid e-mail address: 'not-an-address'")
    assert states[f"test:batch:{empty.pk}"] == (Status.FAILED, "no e-mail address for this recipient")
    assert sum(1 for status, _ in states.values() if status == Status.SENT) == 3
    assert OutboxMessage.objects.get(key=f"test:batch:{bad.pk}").attempts == 1


def test_header_injection_is_a_permanent_failure(partner_a, django_capture_on_commit_callbacks):
    message = send(partner_a, "test:bad-header", capture=django_capture_on_commit_callbacks, headers={"X-Bad": "a\nBcc: victim@example.com"})

    message.refresh_from_db()
    assert message.status == Status.FAILED and "BadHeaderError" in message.last_error
    assert len(mail.outbox) == 0


# --- classification and backoff (pure functions) ----------------------------------------------


@pytest.mark.parametrize(
    "exc, permanent",
    [
        (smtplib.SMTPDataError(451, b"Try later"), False),
        (smtplib.SMTPDataError(554, b"Rejected"), True),
        (smtplib.SMTPSenderRefused(553, b"Bad sender", "x@y"), True),
        (smtplib.SMTPRecipientsRefused({"a@b.example": (452, b"Full")}), False),
        (smtplib.SMTPRecipientsRefused({"a@b.example": (550, b"Unknown")}), True),
        (smtplib.SMTPServerDisconnected("gone"), False),
        (smtplib.SMTPConnectError(421, b"busy"), False),
        (ConnectionRefusedError(111, "Connection refused"), False),
        (TimeoutError("timed out"), False),
        (TimeoutError(), False),
        (delivery.PermanentDeliveryError("no address"), True),
        (ValueError("Invalid address"), True),
    ],
)
def test_classify_error(exc, permanent):
    is_permanent, reason = delivery.classify_error(exc)
    assert is_permanent is permanent
    assert reason


def test_backoff_is_exponential_jittered_and_capped():
    rng = random.Random(7)
    delays = [delivery.backoff_seconds(n, base=30, cap=600, rng=rng) for n in range(1, 9)]
    ceilings = [min(600, 30 * 2 ** (n - 1)) for n in range(1, 9)]
    for delay, ceiling in zip(delays, ceilings, strict=True):
        assert ceiling / 2 <= delay <= ceiling
    assert max(delays) <= 600
    assert len({round(d, 6) for d in delays}) == len(delays)  # jitter: no two alike
