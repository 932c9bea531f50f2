"""Proof that no message is lost or sent twice: a real Celery worker (prefork) over the real Redis,
a real SMTP server (aiosmtpd) on loopback, and the real PostgreSQL.

- two sweeps at the same moment (the digest sweep, the outbox sweep) send each message once;
- a worker killed with SIGKILL in the middle of a batch loses nothing and sends nothing twice once a
  new worker runs and the sweep re-opens the lost claims;
- an SMTP server that is down for a while: every message goes out once, its failed tries recorded;
- a message that keeps failing ends failed, shows in the admin, and goes out when retried there;
- a recipient without a valid address fails with the reason, and the rest of the batch goes out.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections import Counter

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from kitb_portal.notifications import services
from kitb_portal.notifications.models import DeliveryAttempt, OutboxMessage
from kitb_portal.notifications.services import notify
from tests.factories import UserFactory
from tests.live import _Handler, _purge_queue, publishing_to, wait_for_outbox, wait_settled, wait_until

from .conftest import TEMPLATE

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

Status = OutboxMessage.Status


@pytest.fixture
def celery_worker_env():
    # Short backoff (0.5-1 s, then 1-2 s), four tries per round: each test stays well under 30 s.
    return {"OUTBOX_RETRY_BASE_SECONDS": "1", "OUTBOX_RETRY_CAP_SECONDS": "2", "OUTBOX_MAX_ATTEMPTS": "4"}


def database_now() -> dt.datetime:
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        return cursor.fetchone()[0]


def people(org, n, prefix):
    return [UserFactory(organization=org, email=f"{prefix}{i}@cbtp.example") for i in range(n)]


def assert_each_once(smtp_server, emails):
    """Every address got exactly one message, and no Message-ID arrived twice."""
    received = smtp_server.messages
    by_rcpt = Counter(r.lower() for mail in received for r in mail.rcpt_tos)
    assert by_rcpt == Counter(e.lower() for e in emails), by_rcpt
    ids = Counter(str(mail.message["Message-ID"]) for mail in received)
    assert all(n == 1 for n in ids.values()), ids


def in_threads(fn, count=2):
    """Run ``fn`` in ``count`` threads released at the same moment; re-raise the first error."""
    barrier = threading.Barrier(count)
    errors, results = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(fn())
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    return results


# --- two sweeps at the same moment ----------------------------------------------------------------


def test_two_digest_sweeps_at_the_same_moment_send_each_digest_once(smtp_server, celery_worker, kitb, technopark):
    from kitb_portal.notifications import digest
    from tests.partnerships.factories import mou_with_parties

    readers = people(technopark, 6, "digest")
    mou_with_parties(kitb, technopark, reference="KITB/RACE/1", title_en="Race MoU")  # something new for them
    now = timezone.now()

    def sweep():
        users = digest.recipients_queryset().filter(pk__in=[u.pk for u in readers])
        return digest.digests_send_due(now=now, users=users, force=True).written

    written = in_threads(sweep)

    assert sorted(written) == [0, 6]  # the advisory lock lets one build; the other finds the runs
    smtp_server.wait_for(6, context=celery_worker.log_tail)
    ids = list(OutboxMessage.objects.filter(kind="digest").values_list("pk", flat=True))
    wait_for_outbox(ids, Status.SENT, context=celery_worker.log_tail)
    wait_settled(smtp_server, celery_worker)  # nothing left that could send a duplicate
    rows = list(OutboxMessage.objects.filter(pk__in=ids))
    assert len(rows) == 6 and all(r.attempts == 1 for r in rows)
    assert_each_once(smtp_server, [u.email for u in readers])
    assert "KITB/RACE/1" in smtp_server.messages[0].text


def test_two_outbox_sweeps_at_the_same_moment_send_each_lost_message_once(smtp_server, celery_worker, technopark):
    readers = people(technopark, 12, "lost")
    nowhere = f"{celery_worker.queue}-nobody-listens"
    with publishing_to(nowhere):  # the deliveries are queued where no worker listens: lost
        with transaction.atomic():
            ids = [notify(recipient=u, template=TEMPLATE, context={"title": "Lost"}, key=f"lost:{u.pk}").pk for u in readers]
    _purge_queue(nowhere)
    OutboxMessage.objects.filter(pk__in=ids).update(created_at=timezone.now() - dt.timedelta(minutes=10))

    results = in_threads(lambda: services.outbox_sweep())  # publishes to the live worker's queue

    requeued = [set(r.requeued) for r in results]
    assert requeued[0] | requeued[1] == set(ids) and not requeued[0] & requeued[1]  # SKIP LOCKED: disjoint
    wait_for_outbox(ids, Status.SENT, context=celery_worker.log_tail)
    wait_settled(smtp_server, celery_worker)
    assert_each_once(smtp_server, [u.email for u in readers])


# --- a worker killed in the middle of a batch -------------------------------------------------


class SlowRcptHandler(_Handler):
    """Takes ``delay`` seconds to accept each recipient (before any data is sent), and tells who is
    waiting right now, so that a kill lands while nothing has been handed over yet."""

    def __init__(self, delay: float):
        super().__init__()
        self.delay = delay
        self.waiting: dict[int, float] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        token = id(session)
        if self.delay:
            with self.lock:
                self.waiting[token] = time.monotonic()
            try:
                await asyncio.sleep(self.delay)
            finally:
                with self.lock:
                    self.waiting.pop(token, None)
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    def all_waiting_since(self, count: int, at_most: float) -> bool:
        """``count`` sessions are waiting, each for less than ``at_most`` seconds."""
        now = time.monotonic()
        with self.lock:
            return len(self.waiting) >= count and all(now - t < at_most for t in self.waiting.values())


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(smtp_server, celery_worker, technopark):
    handler = SlowRcptHandler(delay=0.5)
    smtp_server.stop()
    smtp_server.handler = handler
    smtp_server.start()
    readers = people(technopark, 40, "batch")

    with transaction.atomic():
        ids = [notify(recipient=u, template=TEMPLATE, context={"title": "Batch"}, key=f"batch:{u.pk}").pk for u in readers]

    # mid-way: some delivered, and both pool processes waiting at the SMTP server with nothing handed over
    wait_until(lambda: len(smtp_server.messages) >= 6 and handler.all_waiting_since(2, 0.25), timeout=30, interval=0.01,
               context=celery_worker.log_tail, message="the batch to be half-way")
    celery_worker.kill()
    delivered_before = len(smtp_server.messages)
    statuses = Counter(OutboxMessage.objects.filter(pk__in=ids).values_list("status", flat=True))
    assert 6 <= delivered_before < 40 and statuses[Status.SENDING] >= 1, statuses  # claims left by the dead worker
    dead_claims = OutboxMessage.objects.filter(pk__in=ids, status=Status.SENDING)
    last_dead_claim = max(dead_claims.values_list("claimed_at", flat=True))

    handler.delay = 0
    celery_worker.restart()
    # The sweep below takes claims older than 1 s for lost: wait until the dead worker's are (by the
    # database's clock, which stamped them); the new worker's claims take milliseconds.
    wait_until(lambda: database_now() - last_dead_claim > dt.timedelta(seconds=1.1), timeout=10, interval=0.05,
               message="the dead worker's claims to be older than the lease")
    with publishing_to(celery_worker.queue):
        result = services.outbox_sweep(lease_seconds=1, requeue_after_seconds=1)
    assert result.reopened  # the lost claims

    wait_for_outbox(ids, Status.SENT, context=celery_worker.log_tail)
    wait_settled(smtp_server, celery_worker)
    assert_each_once(smtp_server, [u.email for u in readers])
    lost = DeliveryAttempt.objects.filter(message_id__in=result.reopened, succeeded=False, error__contains="claim")
    assert lost.count() == len(result.reopened)


# --- an SMTP server that is down, a message that keeps failing ------------------------------------


def test_smtp_down_for_a_while_then_back_delivers_each_message_once_with_its_attempts(smtp_server, celery_worker, technopark):
    smtp_server.stop()
    readers = people(technopark, 8, "down")
    with transaction.atomic():
        ids = [notify(recipient=u, template=TEMPLATE, context={"title": "Down"}, key=f"down:{u.pk}").pk for u in readers]

    wait_until(lambda: DeliveryAttempt.objects.filter(message_id__in=ids, succeeded=False).values("message_id").distinct().count() == 8,
               timeout=20, context=celery_worker.log_tail, message="a failed try of every message")
    smtp_server.start()

    wait_for_outbox(ids, Status.SENT, timeout=30, context=celery_worker.log_tail)
    wait_settled(smtp_server, celery_worker)
    assert_each_once(smtp_server, [u.email for u in readers])
    rows = list(OutboxMessage.objects.filter(pk__in=ids))
    for row in rows:
        tries = list(row.delivery_attempts.order_by("pk").values_list("succeeded", "error"))
        assert row.attempts == len(tries) >= 2
        assert [ok for ok, _e in tries] == [False] * (len(tries) - 1) + [True]
        assert all(error.startswith("temporary:") and "Connection refused" in error for _ok, error in tries[:-1])


def test_a_message_that_keeps_failing_ends_failed_shows_in_the_admin_and_can_be_retried(smtp_server, celery_worker, partner_a, client, admin_user):
    smtp_server.refuse(4, code=451)  # every one of the four tries

    message = notify(recipient=partner_a, template=TEMPLATE, context={"title": "Stubborn"}, key="stubborn:1")

    wait_for_outbox([message.pk], Status.FAILED, timeout=25, context=celery_worker.log_tail)
    assert wait_settled(smtp_server, celery_worker) == []
    row = OutboxMessage.objects.get(pk=message.pk)
    assert row.attempts == 4 and "gave up after 4 attempts" in row.last_error and "451" in row.last_error

    client.force_login(admin_user)
    changelist = reverse("admin:notifications_outboxmessage_changelist")
    page = client.get(changelist, {"status__exact": "failed"})
    assert page.status_code == 200 and b"stubborn:1" in page.content
    response = client.post(changelist, {"action": "retry_failed", "_selected_action": [message.pk]})
    assert response.status_code == 302

    wait_for_outbox([message.pk], Status.SENT, context=celery_worker.log_tail)
    [received] = wait_settled(smtp_server, celery_worker)
    row = OutboxMessage.objects.get(pk=message.pk)
    assert row.attempts == 5 and row.attempts_before_manual_retry == 4
    assert received.rcpt_tos == [partner_a.email]


def test_a_recipient_without_a_valid_address_fails_with_the_reason_and_the_rest_go_out(smtp_server, celery_worker, technopark):
    readers = people(technopark, 5, "valid")
    broken = readers[2]
    type(broken).objects.filter(pk=broken.pk).update(email="not-an-address")
    broken.refresh_from_db()

    with transaction.atomic():
        ids = {u.pk: notify(recipient=u, template=TEMPLATE, context={"title": "Batch"}, key=f"valid:{u.pk}").pk for u in readers}

    bad = ids.pop(broken.pk)
    [failed] = wait_for_outbox([bad], Status.FAILED, context=celery_worker.log_tail)
    wait_for_outbox(list(ids.values()), Status.SENT, context=celery_worker.log_tail)
    wait_settled(smtp_server, celery_worker)
    failed.refresh_from_db()
    assert "invalid e-mail address" in failed.last_error and failed.attempts == 1  # permanent: not retried
    assert_each_once(smtp_server, [u.email for u in readers if u.pk != broken.pk])
