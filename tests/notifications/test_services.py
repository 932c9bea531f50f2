"""Outbox services: the sweep (stale claims, lost tasks), the manual retry, the purge, the schedules."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from kitb_portal.notifications import delivery, services
from kitb_portal.notifications.models import DeliveryAttempt, OutboxMessage
from kitb_portal.notifications.services import notify
from tests.factories import UserFactory
from tests.utils import assert_flat_queries, count_queries

from .conftest import TEMPLATE

Status = OutboxMessage.Status


def make_row(user, key, **fields) -> OutboxMessage:
    """An outbox row without running its delivery (no on-commit callbacks in these tests)."""
    message = notify(recipient=user, template=TEMPLATE, context={"title": "Sweep"}, key=key)
    if fields:
        OutboxMessage.objects.filter(pk=message.pk).update(**fields)
        message.refresh_from_db()
    return message


def claim_long_ago(message: OutboxMessage, minutes: int) -> None:
    """What a worker killed right after its claim leaves behind."""
    assert delivery.outbox_claim(message_id=message.pk)
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_at=timezone.now() - timedelta(minutes=minutes))


# --- the stale-claim sweep --------------------------------------------------------------------


@pytest.mark.django_db
def test_sweep_redelivers_a_sending_row_whose_claim_is_old(smtp_server, partner_a, django_capture_on_commit_callbacks):
    message = make_row(partner_a, "sweep:stale")
    claim_long_ago(message, minutes=11)

    with django_capture_on_commit_callbacks(execute=True):
        result = services.outbox_sweep()

    assert result.reopened == [message.pk] and result.failed == []
    [received] = smtp_server.wait_for(1)
    assert received.rcpt_tos == [partner_a.email]
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 2
    lost, sent = message.delivery_attempts.order_by("pk")
    assert not lost.succeeded and "claim" in lost.error and "expired" in lost.error
    assert sent.succeeded


@pytest.mark.django_db
def test_sweep_leaves_a_fresh_claim_alone(partner_a, django_capture_on_commit_callbacks):
    message = make_row(partner_a, "sweep:fresh")
    claim_long_ago(message, minutes=3)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = services.outbox_sweep()

    assert result.reopened == [] and result.requeued == [] and callbacks == []
    message.refresh_from_db()
    assert message.status == Status.SENDING and message.attempts == 1


@pytest.mark.django_db
def test_sweep_fails_a_stale_claim_whose_attempts_are_exhausted(settings, partner_a):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    message = make_row(partner_a, "sweep:exhausted")
    claim_long_ago(message, minutes=30)

    result = services.outbox_sweep()

    assert result.failed == [message.pk]
    message.refresh_from_db()
    assert message.status == Status.FAILED and "worker was lost" in message.last_error


@pytest.mark.django_db
def test_sweep_requeues_pending_rows_whose_task_was_lost(partner_a, django_capture_on_commit_callbacks):
    now = timezone.now()
    lost = make_row(partner_a, "sweep:lost", next_attempt_at=now - timedelta(minutes=6))
    make_row(partner_a, "sweep:recent", next_attempt_at=now - timedelta(minutes=1))  # due a minute ago: not lost yet
    later = make_row(partner_a, "sweep:later", next_attempt_at=now + timedelta(minutes=5))
    old_new = make_row(partner_a, "sweep:never-queued")
    OutboxMessage.objects.filter(pk=old_new.pk).update(created_at=now - timedelta(minutes=10))

    result = services.outbox_sweep(now=now)

    assert sorted(result.requeued) == sorted([lost.pk, old_new.pk])
    lost.refresh_from_db()
    assert lost.status == Status.PENDING and lost.next_attempt_at == now
    # the next sweeps leave the re-queued rows alone for another grace period...
    assert services.outbox_sweep().requeued == []
    # ...and queue them again (and they go out) if they are still pending after it
    OutboxMessage.objects.filter(pk__in=[lost.pk, old_new.pk]).update(next_attempt_at=now - timedelta(minutes=6))
    with django_capture_on_commit_callbacks(execute=True):
        again = services.outbox_sweep()
    assert sorted(again.requeued) == sorted([lost.pk, old_new.pk])
    statuses = dict(OutboxMessage.objects.values_list("key", "status"))
    assert statuses == {"sweep:lost": "sent", "sweep:never-queued": "sent", "sweep:recent": "pending", "sweep:later": "pending"}
    assert later.pk not in again.requeued


@pytest.mark.slow  # builds the data twice: the query count at two sizes
@pytest.mark.django_db
def test_sweep_query_count_does_not_grow_with_rows(partner_a, django_capture_on_commit_callbacks):
    def rows(n, prefix):
        old = timezone.now() - timedelta(minutes=30)
        for i in range(n):
            m = make_row(partner_a, f"{prefix}:{i}")
            claim_long_ago(m, minutes=30) if i % 2 else OutboxMessage.objects.filter(pk=m.pk).update(next_attempt_at=old)

    rows(4, "small")
    small = count_queries(services.outbox_sweep)
    rows(40, "large")
    large = count_queries(services.outbox_sweep)
    assert small[2].reopened and large[2].reopened
    assert_flat_queries(small, large, limit=12)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_take_disjoint_rows(partner_a, monkeypatch):
    published = []
    monkeypatch.setattr(services, "enqueue_delivery", lambda *pks: published.extend(pks))  # count, do not send
    old = timezone.now() - timedelta(minutes=30)
    ids = []
    for i in range(30):
        m = make_row(partner_a, f"race:{i}")
        claim_long_ago(m, minutes=30)
        ids.append(m.pk)
    OutboxMessage.objects.filter(pk__in=ids[::2]).update(status=Status.PENDING, next_attempt_at=old)

    results, barrier = [], threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            results.append(services.outbox_sweep())
        finally:
            connection.close()

    published.clear()  # the rows' own on-commit queueing above
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    reopened = [pk for r in results for pk in r.reopened]
    requeued = [pk for r in results for pk in r.requeued]
    assert sorted(reopened) == sorted(ids[1::2])  # each stale claim re-opened once
    assert sorted(requeued) == sorted(ids[::2])  # each lost task re-queued once
    assert sorted(published) == sorted(ids)
    assert DeliveryAttempt.objects.filter(message_id__in=ids).count() == 15


# --- manual retry -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_retry_puts_a_failed_row_back_with_a_fresh_set_of_attempts(smtp_server, fast_retries, admin_user, partner_a, django_capture_on_commit_callbacks):
    fast_retries.OUTBOX_MAX_ATTEMPTS = 2
    smtp_server.refuse(3, code=451)
    with django_capture_on_commit_callbacks(execute=True):
        message = notify(recipient=partner_a, template=TEMPLATE, context={"title": "Retry"}, key="retry:1")
    message.refresh_from_db()
    assert message.status == Status.FAILED and message.attempts == 2

    with django_capture_on_commit_callbacks(execute=True):
        services.outbox_retry(message_id=message.pk, actor=admin_user)

    message.refresh_from_db()
    # the third try is refused (451) and the fourth goes out: two tries after the retry
    assert message.status == Status.SENT and message.attempts == 4 and message.attempts_before_manual_retry == 2
    assert len(smtp_server.wait_for(1)) == 1
    assert LogEntry.objects.filter(object_id=str(message.pk), user=admin_user, change_message__startswith="Retried").exists()


@pytest.mark.django_db
def test_retry_refuses_a_row_that_is_not_failed(admin_user, partner_a):
    message = make_row(partner_a, "retry:pending")
    with pytest.raises(ValidationError, match="Only failed messages"):
        services.outbox_retry(message_id=message.pk, actor=admin_user)


@pytest.mark.django_db
def test_retry_refuses_a_partner_user(partner_a):
    message = make_row(partner_a, "retry:partner", status=Status.FAILED, last_error="550 no")
    with pytest.raises(PermissionDenied):
        services.outbox_retry(message_id=message.pk, actor=partner_a)
    message.refresh_from_db()
    assert message.status == Status.FAILED


# --- purge and schedules ----------------------------------------------------------------------


@pytest.mark.django_db
def test_purge_deletes_only_sent_rows_older_than_the_retention(partner_a):
    now = timezone.now()
    old_sent = make_row(partner_a, "purge:old-sent", status=Status.SENT, sent_at=now - timedelta(days=181))
    DeliveryAttempt.objects.create(message=old_sent, succeeded=True)
    make_row(partner_a, "purge:young-sent", status=Status.SENT, sent_at=now - timedelta(days=179))
    make_row(partner_a, "purge:old-failed", status=Status.FAILED, last_error="550", created_at=now - timedelta(days=400))

    assert services.outbox_purge_sent() == 1

    assert set(OutboxMessage.objects.values_list("key", flat=True)) == {"purge:young-sent", "purge:old-failed"}
    assert not DeliveryAttempt.objects.filter(message_id=old_sent.pk).exists()


@pytest.mark.django_db
def test_beat_schedules_exist_and_are_created_idempotently():
    from django.apps import apps

    from kitb_portal.notifications import schedules

    # created by migration 0003, and again after a flush by the post_migrate receiver
    sweep = PeriodicTask.objects.get(task="kitb_portal.notifications.tasks.outbox_sweep")
    assert sweep.enabled and sweep.interval.every == 1 and sweep.interval.period == "minutes"
    purge = PeriodicTask.objects.get(task="kitb_portal.notifications.tasks.outbox_purge_sent")
    assert purge.enabled and purge.crontab.hour == "2" and str(purge.crontab.timezone) == "Asia/Jakarta"

    # an edit in the admin survives the next migrate; a missing schedule comes back
    PeriodicTask.objects.filter(pk=sweep.pk).update(enabled=False)
    purge.delete()
    assert schedules.create_schedules(apps) == 1
    assert schedules.create_schedules(apps) == 0
    assert PeriodicTask.objects.get(pk=sweep.pk).enabled is False
    assert PeriodicTask.objects.filter(task=schedules.PURGE_TASK).count() == 1

    schedules.delete_schedules(apps)
    assert not PeriodicTask.objects.filter(task__in=[schedules.SWEEP_TASK, schedules.PURGE_TASK]).exists()
    assert PeriodicTask.objects.filter(task=schedules.DIGEST_TASK).exists()  # the digest schedule is apart


@pytest.mark.django_db
def test_sweep_task_runs_the_service(partner_a):
    from kitb_portal.notifications.tasks import outbox_sweep

    message = make_row(partner_a, "task:sweep")
    claim_long_ago(message, minutes=20)
    assert outbox_sweep.delay().get() == {"reopened": 1, "failed": 0, "requeued": 0}


@pytest.mark.django_db
def test_notify_survives_a_broker_that_is_down(partner_a, monkeypatch, django_capture_on_commit_callbacks, caplog):
    from kitb_portal.notifications import tasks

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.outbox_deliver, "delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        message = notify(recipient=UserFactory(organization=partner_a.organization), template=TEMPLATE, context={"title": "x"}, key="broker:down")

    message.refresh_from_db()
    assert message.status == Status.PENDING  # kept for the sweep
    assert "the sweep will queue it again" in caplog.text
