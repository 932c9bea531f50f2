"""Overdue reminders: pending reviewers and the owning officer, once per overdue week, bounded queries."""
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from kitb_portal.notifications.models import OutboxMessage
from tenants import services, tasks
from tenants.models import Application
from tenants.schedules import OVERDUE_SWEEP_TASK, OVERDUE_SWEEP_TASK_NAME
from tests.factories import UserFactory
from tests.utils import assert_flat_queries, count_queries

from .conftest import complete_review
from .factories import ApplicationFactory


@pytest.fixture
def officer(db, kitb):
    return UserFactory(staff=True, organization=kitb, email="officer@kitb.example", preferred_language="id")


@pytest.fixture
def overdue_setup(draft_a, partner_a, kitb_admin, reviewer1, reviewer2, officer, criteria):
    services.application_submit(application_id=draft_a.pk, actor=partner_a)
    services.application_start_screening(application_id=draft_a.pk, actor=kitb_admin)
    services.application_set_officer(application_id=draft_a.pk, officer=officer, actor=kitb_admin)
    complete_review(draft_a, reviewer1, {c: 4 for c in criteria}, assigner=kitb_admin)  # done: not reminded
    services.review_assign(application_id=draft_a.pk, reviewer=reviewer2, actor=kitb_admin)  # pending: reminded
    draft_a.refresh_from_db()
    return draft_a


def reminders():
    return list(OutboxMessage.objects.filter(kind="application_overdue").order_by("key").values_list("to_email", "key"))


@pytest.mark.django_db
def test_not_overdue_before_the_configured_days(overdue_setup):
    since = overdue_setup.status_changed_at
    assert services.application_overdue_sweep(now=since + timedelta(days=13, hours=23)) == 0
    assert reminders() == []


@pytest.mark.django_db
def test_overdue_reminds_pending_reviewers_and_officer_once_per_week(overdue_setup, reviewer2, officer, django_capture_on_commit_callbacks):
    app = overdue_setup
    since = app.status_changed_at
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.application_overdue_sweep(now=since + timedelta(days=14, hours=1)) == 2
    assert reminders() == sorted([
        (officer.email, f"application-overdue:{app.pk}:screening:0:{officer.pk}"),
        (reviewer2.email, f"application-overdue:{app.pk}:screening:0:{reviewer2.pk}"),
    ], key=lambda r: r[1])
    assert sorted(m.to[0] for m in mail.outbox) == sorted([officer.email, reviewer2.email])
    assert OutboxMessage.objects.get(to_email=officer.email).language == "id"
    # the daily sweep runs again during the same overdue week: nothing new
    for day in range(1, 7):
        assert services.application_overdue_sweep(now=since + timedelta(days=14 + day, hours=1)) == 0
    # next week: one more each
    assert services.application_overdue_sweep(now=since + timedelta(days=21, hours=1)) == 2
    assert len(reminders()) == 4


@pytest.mark.django_db
def test_a_new_step_restarts_the_clock(overdue_setup, kitb_admin):
    app = overdue_setup
    services.application_overdue_sweep(now=app.status_changed_at + timedelta(days=15))
    services.application_start_due_diligence(application_id=app.pk, actor=kitb_admin)
    app.refresh_from_db()
    assert services.application_overdue_sweep(now=app.status_changed_at + timedelta(days=3)) == 0
    assert services.application_overdue_sweep(now=app.status_changed_at + timedelta(days=15)) == 2
    assert {k.split(":")[2] for _e, k in reminders()} == {"screening", "due_diligence"}


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["draft", "approved", "rejected", "withdrawn"])
def test_drafts_and_closed_applications_are_never_overdue(status, technopark, sector, officer):
    ApplicationFactory(referrer=technopark, sector=sector, status=status, owning_officer=officer,
                       decision_reason="r" if status == "rejected" else "",
                       status_changed_at=timezone.now() - timedelta(days=100))
    assert services.application_overdue_sweep() == 0


def _overdue_apps(n, referrer, sector, officer, reviewer):
    from tenants.models import Review, ReviewAssignment

    old = timezone.now() - timedelta(days=30)
    for _ in range(n):
        app = ApplicationFactory(referrer=referrer, sector=sector, status=Application.Status.SCREENING, owning_officer=officer, status_changed_at=old)
        Review.objects.create(assignment=ReviewAssignment.objects.create(application=app, reviewer=reviewer))


@pytest.mark.slow  # builds the data twice: the query count at two sizes
@pytest.mark.django_db
def test_sweep_queries_do_not_grow_with_the_data_when_nothing_is_due(technopark, sector, officer, reviewer1):
    _overdue_apps(3, technopark, sector, officer, reviewer1)
    services.application_overdue_sweep()
    small = count_queries(services.application_overdue_sweep)
    _overdue_apps(40, technopark, sector, officer, reviewer1)
    services.application_overdue_sweep()
    large = count_queries(services.application_overdue_sweep)
    assert small[2] == large[2] == 0
    assert_flat_queries(small, large, limit=8)


@pytest.mark.django_db
def test_daily_periodic_task_exists_and_the_task_calls_the_sweep(overdue_setup):
    task = PeriodicTask.objects.get(name=OVERDUE_SWEEP_TASK_NAME)
    assert task.task == OVERDUE_SWEEP_TASK and task.enabled and task.crontab.hour == "1"
    Application.objects.filter(pk=overdue_setup.pk).update(status_changed_at=timezone.now() - timedelta(days=15))
    assert tasks.application_overdue_sweep.delay().get() == 2
