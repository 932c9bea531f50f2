"""Outbox delivery by a real Celery worker (prefork) over the real Redis to a real SMTP server."""
from __future__ import annotations

import pytest

from kitb_portal.notifications.models import DeliveryAttempt, OutboxMessage
from kitb_portal.notifications.services import notify
from tests.factories import UserFactory
from tests.live import wait_for_outbox, wait_settled, wait_until

from .conftest import TEMPLATE

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

Status = OutboxMessage.Status


def test_worker_delivers_a_korean_multipart_message(smtp_server, celery_worker, technopark):
    user = UserFactory(organization=technopark, email="kim@cbtp.example", full_name="Kim Min-jun", preferred_language="ko")

    message = notify(recipient=user, template=TEMPLATE, context={"title": "MoU 2026"}, key=f"worker:ko:{user.pk}")

    smtp_server.wait_for(1, context=celery_worker.log_tail)
    [received] = wait_settled(smtp_server, celery_worker)  # one message, and no other on its way
    assert received.rcpt_tos == ["kim@cbtp.example"]
    assert received.subject == "테스트 메시지: MoU 2026"
    assert received.message.get_content_type() == "multipart/alternative"
    assert received.content_types.count("text/plain") == 1 and received.content_types.count("text/html") == 1
    # rendered in Korean: our own text and a string Django itself translates ("Monday")
    assert "안녕하세요 Kim Min-jun님," in received.text and "월요일: MoU 2026" in received.text
    assert "<strong>월요일</strong>: MoU 2026" in received.html and 'lang="ko"' in received.html
    [row] = wait_for_outbox([message.pk], Status.SENT, context=celery_worker.log_tail)
    assert row.attempts == 1 and row.sent_at is not None
    assert list(row.delivery_attempts.values_list("succeeded", flat=True)) == [True]
    assert f"outbox {message.pk} sent" in celery_worker.log()  # it was the worker, not this process


def test_worker_retries_temporary_refusals_and_sends_once(smtp_server, celery_worker, partner_a):
    """The worker process's own self.retry: 451, then accepted on the retry (backoff from settings)."""
    smtp_server.refuse(1, code=451)

    message = notify(recipient=partner_a, template=TEMPLATE, context={"title": "Retry"}, key="worker:451")

    wait_for_outbox([message.pk], Status.SENT, timeout=90, context=celery_worker.log_tail)
    assert len(wait_settled(smtp_server, celery_worker)) == 1 and smtp_server.refused == 1
    row = OutboxMessage.objects.get(pk=message.pk)
    assert row.attempts == 2
    assert [a.succeeded for a in row.delivery_attempts.order_by("pk")] == [False, True]


@pytest.fixture
def celery_worker_env():
    # Only honoured once settings read these from the environment; the test above works either way
    # (the first retry waits 15-30 s with the default backoff).
    return {"OUTBOX_RETRY_BASE_SECONDS": "1", "OUTBOX_RETRY_CAP_SECONDS": "2"}


def test_a_killed_worker_loses_nothing_once_a_new_one_starts(smtp_server, celery_worker, technopark):
    celery_worker.kill()  # SIGKILL, whole process group
    assert not celery_worker.alive

    users = [UserFactory(organization=technopark, email=f"k{i}@cbtp.example") for i in range(4)]
    ids = [notify(recipient=u, template=TEMPLATE, context={"title": "Kill"}, key=f"worker:kill:{u.pk}").pk for u in users]
    assert set(OutboxMessage.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Status.PENDING}

    celery_worker.restart()

    wait_for_outbox(ids, Status.SENT, context=celery_worker.log_tail)
    wait_settled(smtp_server, celery_worker)
    by_rcpt = smtp_server.by_recipient()
    assert sorted(by_rcpt) == sorted(u.email for u in users)
    assert all(len(mails) == 1 for mails in by_rcpt.values())


def test_the_worker_counts_as_busy_while_a_retry_waits_and_idle_once_it_is_done(smtp_server, celery_worker, partner_a):
    """What wait_settled relies on: a retry waiting for its countdown is work the worker still has."""
    smtp_server.refuse(1, code=451)

    message = notify(recipient=partner_a, template=TEMPLATE, context={"title": "Busy"}, key="worker:busy")

    wait_until(lambda: DeliveryAttempt.objects.filter(message_id=message.pk, succeeded=False).exists(), context=celery_worker.log_tail,
               message="the first, refused try")
    assert celery_worker.busy(), "the retry is queued, reserved or scheduled"
    wait_for_outbox([message.pk], Status.SENT, timeout=90, context=celery_worker.log_tail)
    celery_worker.wait_idle()
    assert celery_worker.busy() == [] and len(smtp_server.messages) == 1
