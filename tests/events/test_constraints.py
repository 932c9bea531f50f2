"""Rules the database keeps, tried by going around the forms and services."""
import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from events import services
from events.forms import EventAdminForm
from events.models import Event, Feedback, Registration

from .factories import EventFactory


def _raw_insert(event, *, start, end, status="draft", slug="raw"):
    """Insert an event with plain SQL: no form, no model validation."""
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO events_event (created_at, updated_at, kind, title_id, title_ko, title_en, description_id,
               description_ko, description_en, slug, topics, mode, meeting_link, venue_id, start, "end", capacity,
               status, is_public, sequence, cancellation_reason, cancelled_at)
               VALUES (now(), now(), 'seminar', '', '', 'Raw', '', '', '', %s, '{}', 'on_site', '', %s, %s, %s, 10, %s,
               false, 0, '', CASE WHEN %s = 'cancelled' THEN now() END)""",
            [slug, event.venue_id, start, end, status, status],
        )


@pytest.mark.django_db
def test_overlap_refused_by_the_database_itself(event):
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        _raw_insert(event, start=event.start + dt.timedelta(hours=1), end=event.end + dt.timedelta(hours=1))
    assert "event_no_venue_overlap" in str(info.value)


@pytest.mark.django_db
def test_overlap_refused_by_bulk_create_too(event):
    clash = Event(
        title_en="Clash", slug="clash", venue=event.venue, start=event.start, end=event.end, capacity=5,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.bulk_create([clash])


@pytest.mark.django_db
def test_touching_events_and_cancelled_events_may_share_the_venue(event):
    _raw_insert(event, start=event.end, end=event.end + dt.timedelta(hours=2), slug="after")  # [) ranges touch
    _raw_insert(event, start=event.start, end=event.end, status="cancelled", slug="cancelled")
    assert Event.objects.filter(venue=event.venue).count() == 3


@pytest.mark.django_db
def test_other_venue_may_overlap(event):
    other = EventFactory(start=event.start, end=event.end)
    assert other.pk and other.venue_id != event.venue_id


@pytest.mark.django_db
def test_end_before_start_refused_by_database(event):
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        Event.objects.filter(pk=event.pk).update(end=event.start - dt.timedelta(minutes=1))
    assert "event_end_after_start" in str(info.value)


@pytest.mark.django_db
def test_registration_closing_after_end_refused_by_database(event):
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(registration_closes=event.end + dt.timedelta(hours=1))


@pytest.mark.django_db
def test_form_names_the_event_in_the_way(event, staff_user):
    data = {
        "kind": "seminar", "title_en": "Clashing seminar", "slug": "", "mode": "on_site", "venue": event.venue_id,
        "start": timezone.localtime(event.start + dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S"),
        "end": timezone.localtime(event.end + dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S"),
        "capacity": 20, "topics": ["innovation"], "status": "draft",
    }
    form = EventAdminForm(data=data)
    assert not form.is_valid()
    text = " ".join(form.non_field_errors())
    assert text, form.errors
    assert event.title_en in text
    assert "already booked" in text


@pytest.mark.django_db
def test_form_refuses_end_before_start(venue):
    start = dt.datetime(2030, 1, 10, 9, 0, tzinfo=dt.UTC)
    form = EventAdminForm(data={
        "kind": "seminar", "title_en": "Backwards", "mode": "on_site", "venue": venue.pk, "capacity": 5,
        "start": start.strftime("%Y-%m-%d %H:%M:%S"), "end": (start - dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S"),
    })
    assert not form.is_valid()
    assert "end" in form.errors


@pytest.mark.django_db
def test_service_refuses_overlap_with_a_named_message(event, staff_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        services.event_create(
            actor=staff_user, title_en="Second", venue=event.venue, start=event.start, end=event.end, capacity=3
        )
    assert event.title_en in " ".join(info.value.messages)


@pytest.mark.django_db
def test_one_registration_per_person_per_event_in_the_database(event, partner_a):
    services.registration_create(event_id=event.pk, user=partner_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(event=event, user=partner_a, name="Again", email="other@example.com", status="confirmed")
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(event=event, name="Same mail", email=partner_a.email.upper(), token="t" * 40, status="confirmed")


@pytest.mark.django_db
def test_cancelled_registration_frees_the_person_to_register_again(event, partner_a):
    first = services.registration_create(event_id=event.pk, user=partner_a)
    services.registration_cancel(registration_id=first.pk, actor=partner_a)
    again = services.registration_create(event_id=event.pk, user=partner_a)
    assert again.pk != first.pk and again.status == "confirmed"


@pytest.mark.django_db
def test_rating_outside_1_to_5_refused(event, partner_a):
    registration = services.registration_create(event_id=event.pk, user=partner_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(registration=registration, rating=6)
