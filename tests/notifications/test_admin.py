"""The outbox in the admin: list, search, read-only detail with attempts, retry action, bounded queries."""
from __future__ import annotations

import pytest
from django.urls import reverse

from kitb_portal.notifications.models import DeliveryAttempt, OutboxMessage
from kitb_portal.notifications.services import notify
from tests.factories import UserFactory
from tests.utils import assert_flat_queries, count_queries

from .conftest import TEMPLATE

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status
CHANGELIST = "admin:notifications_outboxmessage_changelist"


def make_rows(user, n, prefix="row"):
    rows = [notify(recipient=user, template=TEMPLATE, context={"title": f"{prefix} {i}"}, key=f"{prefix}:{i}") for i in range(n)]
    for row in rows[::3]:
        DeliveryAttempt.objects.create(message=row, succeeded=False, error="temporary: 451")
    return rows


def test_changelist_lists_and_searches(staff_client, partner_a):
    make_rows(partner_a, 3, prefix="mou-expiry")
    make_rows(UserFactory(email="other@province.example"), 2, prefix="event-reminder")

    response = staff_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    body = response.content.decode()
    assert "mou-expiry:0" in body and "event-reminder:1" in body and "a@technopark.example" in body

    response = staff_client.get(reverse(CHANGELIST), {"q": "other@province"})
    body = response.content.decode()
    assert "event-reminder:0" in body and "mou-expiry:0" not in body

    response = staff_client.get(reverse(CHANGELIST), {"status__exact": "failed"})
    assert "mou-expiry:0" not in response.content.decode()


def test_changelist_query_count_is_the_same_for_5_and_100_rows(staff_client, partner_a):
    make_rows(partner_a, 5, prefix="small")
    small = count_queries(staff_client.get, reverse(CHANGELIST))
    make_rows(partner_a, 95, prefix="large")
    large = count_queries(staff_client.get, reverse(CHANGELIST))
    assert small[2].status_code == large[2].status_code == 200
    assert_flat_queries(small, large, limit=15)


def test_detail_is_read_only_and_shows_attempts(staff_client, partner_a):
    [row] = make_rows(partner_a, 1, prefix="detail")
    response = staff_client.get(reverse("admin:notifications_outboxmessage_change", args=[row.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "temporary: 451" in body  # the attempt inline
    assert 'name="subject"' not in body and 'name="status"' not in body  # nothing editable
    assert staff_client.get(reverse("admin:notifications_outboxmessage_add")).status_code == 403


def test_retry_action_redelivers_a_failed_row(staff_client, smtp_server, partner_a, django_capture_on_commit_callbacks):
    smtp_server.refuse(1, code=550)
    with django_capture_on_commit_callbacks(execute=True):
        failed = notify(recipient=partner_a, template=TEMPLATE, context={"title": "Admin retry"}, key="admin:retry")
    sent = notify(recipient=partner_a, template=TEMPLATE, context={"title": "x"}, key="admin:other")
    failed.refresh_from_db()
    assert failed.status == Status.FAILED and smtp_server.messages == []

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse(CHANGELIST), {"action": "retry_failed", "_selected_action": [failed.pk, sent.pk]}, follow=True
        )

    assert response.status_code == 200
    body = response.content.decode()
    assert "1 message queued for another delivery." in body
    assert "Only failed messages can be retried" in body  # the pending one is refused with a reason
    [received] = smtp_server.wait_for(1)
    assert received.subject == "Test message: Admin retry"
    failed.refresh_from_db()
    assert failed.status == Status.SENT and failed.attempts == 2


def test_partner_user_cannot_open_the_outbox(client_a):
    response = client_a.get(reverse(CHANGELIST))
    assert response.status_code in (302, 403)


def test_cached_outbox_rows_follow_a_delivery_update_at_once(staff_client, partner_a):
    """The rows' HTML is cached per version of the page's rows: a conditional UPDATE by delivery
    (no model signal) sets updated_at, and the next page shows the new status."""
    import re

    from django.utils import timezone

    rows = make_rows(partner_a, 30, prefix="fingerprint")  # two pages: the rows are fetched only when drawn
    url = reverse(CHANGELIST)

    def status_of(message):
        html = staff_client.get(url).content.decode()
        row = next(r for r in re.findall(r"<tr[^>]*>.*?</tr>", html, re.S) if message.key in r)
        return re.sub(r"<[^>]+>", " ", row)

    newest = rows[-1]
    assert "Pending" in status_of(newest)
    assert "Pending" in status_of(newest)  # served from the cache
    OutboxMessage.objects.filter(pk=newest.pk).update(status=Status.SENT, sent_at=timezone.now(), updated_at=timezone.now())
    assert "Sent" in status_of(newest)
