"""Reminders 7 days and 1 day before (once each), completion and thank-you, lapsing, beat rows,
and the MoU commitment an event fulfils."""
import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from events import services, tasks
from events.models import Event, Registration
from kitb_portal.notifications.models import OutboxMessage
from tests.factories import UserFactory

from .factories import EventFactory


def _event_starting_in(delta, actor, **extra):
    start = timezone.now() + delta
    return EventFactory(published=True, start=start, end=start + dt.timedelta(hours=3), actor=actor, **extra)


@pytest.mark.django_db
def test_reminders_go_out_once_each(staff_user, partner_a, partner_b, django_capture_on_commit_callbacks):
    event = _event_starting_in(dt.timedelta(days=6, hours=20), staff_user)
    r_a = services.registration_create(event_id=event.pk, user=partner_a)
    r_b = services.registration_create(event_id=event.pk, user=partner_b)
    services.registration_cancel(registration_id=r_b.pk, actor=partner_b)  # cancelled: no reminder
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.event_reminders_send() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.event_reminders_send() == 0  # a second run sends nothing twice
    assert [m.to for m in mail.outbox] == [[partner_a.email]]
    assert "In 7 days" in mail.outbox[0].subject
    assert "WIB" in mail.outbox[0].body and "KST" in mail.outbox[0].body
    assert OutboxMessage.objects.filter(kind="event_reminder").count() == 1

    # Six days later: the 1-day reminder, once.
    later = timezone.now() + dt.timedelta(days=6)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.event_reminders_send(now=later) == 1
        assert services.event_reminders_send(now=later + dt.timedelta(hours=1)) == 0
    assert len(mail.outbox) == 2 and "Tomorrow" in mail.outbox[1].subject
    r_a.refresh_from_db()
    assert r_a.reminded_7d_at and r_a.reminded_1d_at


@pytest.mark.django_db
def test_reminder_key_is_deterministic_so_a_lost_marker_sends_nothing_twice(staff_user, partner_a):
    event = _event_starting_in(dt.timedelta(hours=20), staff_user)
    registration = services.registration_create(event_id=event.pk, user=partner_a)
    assert services.event_reminders_send() == 1
    Registration.objects.filter(pk=registration.pk).update(reminded_1d_at=None)  # as if a worker died after notify()
    assert services.event_reminders_send() == 0
    assert OutboxMessage.objects.filter(key=f"event-reminder:{event.pk}:1:{registration.pk}:0").count() == 1


@pytest.mark.django_db
def test_no_7_day_reminder_for_an_event_three_days_away(staff_user, partner_a):
    event = _event_starting_in(dt.timedelta(days=3), staff_user)
    services.registration_create(event_id=event.pk, user=partner_a)
    assert services.event_reminders_send() == 0


@pytest.mark.django_db
def test_new_time_means_new_reminders(staff_user, partner_a):
    event = _event_starting_in(dt.timedelta(hours=20), staff_user)
    services.registration_create(event_id=event.pk, user=partner_a)
    assert services.event_reminders_send() == 1
    new_start = event.start + dt.timedelta(hours=2)
    services.event_reschedule(event_id=event.pk, actor=staff_user, start=new_start, end=new_start + dt.timedelta(hours=3))
    assert services.event_reminders_send() == 1


@pytest.mark.django_db
def test_no_reminders_for_cancelled_events_or_waitlisted_people(staff_user, partner_a, partner_b):
    event = _event_starting_in(dt.timedelta(hours=20), staff_user, capacity=1)
    services.registration_create(event_id=event.pk, user=partner_a)
    services.registration_create(event_id=event.pk, user=partner_b)  # waitlisted
    services.event_cancel(event_id=event.pk, actor=staff_user)
    assert services.event_reminders_send() == 0


@pytest.mark.django_db
def test_followup_completes_and_thanks_attendees_once(staff_user, partner_a, partner_b, django_capture_on_commit_callbacks):
    event = _event_starting_in(dt.timedelta(days=2), staff_user)
    came = services.registration_create(event_id=event.pk, user=partner_a)
    services.registration_create(event_id=event.pk, user=partner_b)  # confirmed, did not come
    services.registration_check_in(registration_id=came.pk, actor=staff_user)
    mail.outbox.clear()
    after = event.end + dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.event_followup_send(now=after) == 0  # not yet over in real time: not completed
    Event.objects.filter(pk=event.pk).update(
        start=timezone.now() - dt.timedelta(hours=5), end=timezone.now() - dt.timedelta(hours=1), registration_closes=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.event_followup_send() == 1
        assert services.event_followup_send() == 0
    event.refresh_from_db()
    assert event.status == "completed"
    assert [m.to for m in mail.outbox] == [[partner_a.email]]
    assert f"/portal/events/{event.pk}/feedback/" in mail.outbox[0].body


@pytest.mark.django_db
def test_sweep_tasks_run_through_celery(staff_user, partner_a):
    event = _event_starting_in(dt.timedelta(hours=10), staff_user)
    services.registration_create(event_id=event.pk, user=partner_a)
    assert tasks.event_reminders_send.delay().get() == 1
    assert tasks.registration_expire_lapsed.delay().get() == 0
    assert tasks.event_followup_send.delay().get() == 0


@pytest.mark.django_db
def test_beat_rows_from_the_data_migration_are_idempotent_and_reversible():
    """(Transactional tests flush the tables, so the migration's functions are run here directly.)"""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("events.migrations.0003_periodic_tasks")
    migration.create(apps, None)
    migration.create(apps, None)
    rows = dict(PeriodicTask.objects.filter(task__startswith="events.tasks.").values_list("task", "enabled"))
    assert rows == {
        "events.tasks.registration_expire_lapsed": True,
        "events.tasks.event_reminders_send": True,
        "events.tasks.event_followup_send": True,
        "events.tasks.passport_data_purge": True,
    }
    assert PeriodicTask.objects.filter(task__startswith="events.tasks.", interval__isnull=False).count() == 4
    migration.remove(apps, None)
    assert not PeriodicTask.objects.filter(task__startswith="events.tasks.").exists()


@pytest.mark.django_db
def test_reminder_in_the_recipients_language(staff_user, technopark):
    korean = UserFactory(organization=technopark, email="ko@tp.example", preferred_language="ko", time_zone="Asia/Seoul")
    event = _event_starting_in(dt.timedelta(hours=20), staff_user)
    registration = services.registration_create(event_id=event.pk, user=korean)
    services.event_reminders_send()
    row = OutboxMessage.objects.get(key=f"event-reminder:{event.pk}:1:{registration.pk}:0")
    assert row.language == "ko"
    assert event.title_ko in row.subject


@pytest.fixture
def mou_with_commitment(db, admin_user, kitb, technopark):
    from partnerships import services as ps

    mou = ps.mou_create(
        actor=admin_user, reference="KITB-CBTP-2030", title_en="Cooperation", effective_date=dt.date(2026, 1, 1),
        expiry_date=dt.date(2029, 12, 31),
    )
    ps.party_add(actor=admin_user, mou_id=mou.pk, organization=kitb, role="first_party")
    ps.party_add(actor=admin_user, mou_id=mou.pk, organization=technopark)
    commitment = ps.commitment_create(
        actor=admin_user, mou_id=mou.pk, description="Hold a joint startup workshop", responsible_organization=technopark
    )
    return mou, commitment


@pytest.mark.django_db
def test_completed_event_records_the_commitment_it_fulfils(admin_user, mou_with_commitment):
    mou, commitment = mou_with_commitment
    start = timezone.now() + dt.timedelta(days=1)
    event = EventFactory(published=True, start=start, end=start + dt.timedelta(hours=2), actor=admin_user, commitment=commitment)
    assert event.mou_id == mou.pk  # filled from the commitment
    Event.objects.filter(pk=event.pk).update(
        start=timezone.now() - dt.timedelta(hours=3), end=timezone.now() - dt.timedelta(hours=1)
    )
    services.event_followup_send()
    commitment.refresh_from_db()
    assert commitment.status == "done"
    assert f"event #{event.pk}" in commitment.fulfilment_note


@pytest.mark.django_db
def test_publish_warnings(admin_user, mou_with_commitment):
    from .factories import RoomFactory, SpeakerFactory, VenueFactory

    mou, _commitment = mou_with_commitment
    venue = VenueFactory(name="Small place", capacity=500)
    room = RoomFactory(venue=venue, capacity=20)
    start = timezone.make_aware(dt.datetime(2030, 6, 3, 9, 0))
    event = EventFactory(actor=admin_user, venue=venue, room=room, capacity=80, mou=mou, start=start, end=start + dt.timedelta(hours=4))
    other = EventFactory(actor=admin_user, start=start, end=start + dt.timedelta(hours=2))
    speaker = SpeakerFactory(name="Kim Ji-hoon")
    services.session_create(event_id=event.pk, actor=admin_user, title="Keynote", start=start, end=start + dt.timedelta(hours=1), speakers=[speaker])
    services.session_create(event_id=other.pk, actor=admin_user, title="Panel", start=start + dt.timedelta(minutes=30),
                            end=start + dt.timedelta(hours=1, minutes=30), speakers=[speaker])
    warnings = services.event_publish(event_id=event.pk, actor=admin_user)
    text = "\n".join(str(w) for w in warnings)
    assert "Kim Ji-hoon speaks in “Keynote” and in “Panel”" in text
    assert "holds 20 people; the event takes 80" in text
    assert "ends after MoU KITB-CBTP-2030 expires" in text
    event.refresh_from_db()
    assert event.status == "published"  # warnings do not block


@pytest.mark.django_db
def test_session_outside_the_event_refused(event, staff_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.session_create(event_id=event.pk, actor=staff_user, title="Too late", start=event.end,
                                end=event.end + dt.timedelta(hours=1))
