"""Filling an event: capacity under concurrency, the waitlist, cancellation and refusals."""
import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from events import services
from events.models import Registration
from kitb_portal.notifications.models import OutboxMessage
from tests.factories import OrganizationFactory, UserFactory
from tests.utils import race

from .factories import EventFactory, VenueFactory


@pytest.mark.django_db(transaction=True)
def test_thirty_people_racing_for_ten_places():
    org = OrganizationFactory(name="Racing Org", country="KR")
    staff = UserFactory(staff=True, email="race-staff@kitb.example", organization=None)
    event = EventFactory(published=True, capacity=10, venue=VenueFactory(name="Race hall"), actor=staff)
    users = [UserFactory(email=f"racer{i}@example.com", organization=org) for i in range(30)]
    def register(user):
        services.registration_create(event_id=event.pk, user=user)

    assert race(register, [(u,) for u in users]) == []
    statuses = list(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert statuses.count("confirmed") == 10
    assert statuses.count("waitlisted") == 20
    positions = sorted(Registration.objects.filter(event=event, status="waitlisted").values_list("waitlist_position", flat=True))
    assert positions == list(range(1, 21))
    # Confirmed people are exactly the first ten to get the lock: their rows come before every waitlisted one.
    last_confirmed = Registration.objects.filter(event=event, status="confirmed").latest("id").id
    first_waitlisted = Registration.objects.filter(event=event, status="waitlisted").earliest("id").id
    assert last_confirmed < first_waitlisted


@pytest.mark.django_db
def test_full_event_waitlists_in_order_and_says_so(event, technopark, mail_on_commit):
    event.capacity = 2
    services.event_save(event=event, actor=None)
    people = [UserFactory(organization=technopark, email=f"p{i}@tp.example") for i in range(4)]
    regs = [mail_on_commit(services.registration_create, event_id=event.pk, user=u) for u in people]
    assert [r.status for r in regs] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [r.waitlist_position for r in regs[2:]] == [1, 2]
    subjects = [m.subject for m in mail.outbox]
    assert sum("waitlist" in s for s in subjects) == 2, subjects
    assert sum("confirmed" in s for s in subjects) == 2


@pytest.mark.django_db
def test_cancellation_promotes_the_first_waitlisted_and_tells_them(event, technopark, mail_on_commit):
    event.capacity = 1
    services.event_save(event=event, actor=None)
    holder, first, second = (UserFactory(organization=technopark, email=f"w{i}@tp.example") for i in range(3))
    held = services.registration_create(event_id=event.pk, user=holder)
    r_first = services.registration_create(event_id=event.pk, user=first)
    r_second = services.registration_create(event_id=event.pk, user=second)
    mail.outbox.clear()

    mail_on_commit(services.registration_cancel, registration_id=held.pk, actor=holder)

    r_first.refresh_from_db()
    r_second.refresh_from_db()
    assert r_first.status == "confirmed" and r_first.waitlist_position is None
    assert r_second.status == "waitlisted" and r_second.waitlist_position == 2
    assert [m.to for m in mail.outbox] == [[first.email]]
    assert "place opened up" in mail.outbox[0].subject
    assert r_first.check_in_code in mail.outbox[0].body
    row = OutboxMessage.objects.get(key=f"registration-confirmed:{r_first.pk}")
    assert {a["filename"] for a in row.attachments} == {"event.ics", f"check-in-{r_first.check_in_code}.png"}


@pytest.mark.django_db
def test_cancelling_a_waitlisted_place_promotes_nobody(event, technopark):
    event.capacity = 1
    services.event_save(event=event, actor=None)
    a, b, c = (UserFactory(organization=technopark, email=f"x{i}@tp.example") for i in range(3))
    services.registration_create(event_id=event.pk, user=a)
    rb = services.registration_create(event_id=event.pk, user=b)
    rc = services.registration_create(event_id=event.pk, user=c)
    services.registration_cancel(registration_id=rb.pk, actor=b)
    rc.refresh_from_db()
    assert rc.status == "waitlisted"


@pytest.mark.django_db
def test_more_capacity_promotes_from_the_waitlist(event, technopark):
    event.capacity = 1
    services.event_save(event=event, actor=None)
    a, b = (UserFactory(organization=technopark, email=f"y{i}@tp.example") for i in range(2))
    services.registration_create(event_id=event.pk, user=a)
    rb = services.registration_create(event_id=event.pk, user=b)
    event.refresh_from_db()
    event.capacity = 2
    services.event_save(event=event, actor=None)
    rb.refresh_from_db()
    assert rb.status == "confirmed"


@pytest.mark.django_db
def test_registration_on_a_cancelled_event_refused(event, partner_a, staff_user):
    services.event_cancel(event_id=event.pk, actor=staff_user)
    with pytest.raises(ValidationError) as info:
        services.registration_create(event_id=event.pk, user=partner_a)
    assert "cancelled" in info.value.messages[0]
    assert not Registration.objects.filter(event=event).exists()


@pytest.mark.django_db
def test_registration_after_closing_refused(event, partner_a):
    event.registration_closes = timezone.now() - dt.timedelta(minutes=1)
    event.registration_opens = timezone.now() - dt.timedelta(days=2)
    services.event_save(event=event, actor=None)
    with pytest.raises(ValidationError) as info:
        services.registration_create(event_id=event.pk, user=partner_a)
    assert "closed" in info.value.messages[0]


@pytest.mark.django_db
def test_registration_before_opening_refused(event, partner_a):
    event.registration_opens = timezone.now() + dt.timedelta(days=1)
    services.event_save(event=event, actor=None)
    with pytest.raises(ValidationError):
        services.registration_create(event_id=event.pk, user=partner_a)


@pytest.mark.django_db
def test_registration_on_a_draft_refused(partner_a, staff_user):
    draft = EventFactory(actor=staff_user)
    with pytest.raises(ValidationError):
        services.registration_create(event_id=draft.pk, user=partner_a)


@pytest.mark.django_db
def test_registering_twice_refused(event, partner_a):
    services.registration_create(event_id=event.pk, user=partner_a)
    with pytest.raises(ValidationError) as info:
        services.registration_create(event_id=event.pk, user=partner_a)
    assert "already registered" in info.value.messages[0]
    assert Registration.objects.filter(event=event, user=partner_a).count() == 1


@pytest.mark.django_db
def test_cancelling_after_the_start_refused(event, partner_a):
    registration = services.registration_create(event_id=event.pk, user=partner_a)
    event.start = timezone.now() - dt.timedelta(hours=1)
    event.end = timezone.now() + dt.timedelta(hours=2)
    services.event_save(event=event, actor=None)
    with pytest.raises(ValidationError):
        services.registration_cancel(registration_id=registration.pk, actor=partner_a)


@pytest.mark.django_db
def test_event_cancel_tells_everyone_registered(event, technopark, staff_user, mail_on_commit):
    event.capacity = 1
    services.event_save(event=event, actor=None)
    a, b = (UserFactory(organization=technopark, email=f"c{i}@tp.example") for i in range(2))
    services.registration_create(event_id=event.pk, user=a)
    services.registration_create(event_id=event.pk, user=b)
    mail.outbox.clear()
    mail_on_commit(services.event_cancel, event_id=event.pk, actor=staff_user, reason="The venue is flooded.")
    assert sorted(m.to[0] for m in mail.outbox) == [a.email, b.email]
    assert all("Cancelled" in m.subject and "flooded" in m.body for m in mail.outbox)
    event.refresh_from_db()
    assert event.status == "cancelled" and event.cancelled_at


@pytest.mark.django_db
def test_time_change_tells_everyone_with_both_zones(event, partner_a, mail_on_commit):
    services.registration_create(event_id=event.pk, user=partner_a)
    mail.outbox.clear()
    new_start = event.start + dt.timedelta(days=1)
    mail_on_commit(services.event_reschedule, event_id=event.pk, actor=None, start=new_start, end=new_start + dt.timedelta(hours=3))
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "WIB" in body and "KST" in body and "New time" in mail.outbox[0].subject
    event.refresh_from_db()
    assert event.sequence == 1


@pytest.mark.django_db
def test_check_in_and_mark_attended(event, partner_a, staff_user):
    registration = services.registration_create(event_id=event.pk, user=partner_a)
    services.registration_check_in(registration_id=registration.pk, actor=staff_user)
    registration.refresh_from_db()
    assert registration.status == "attended" and registration.checked_in_at and registration.checked_in_by == staff_user
    done, problems = services.registration_mark_attended(registration_ids=[registration.pk], actor=staff_user)
    assert (done, problems) == (0, [])


@pytest.mark.django_db
def test_waitlisted_person_cannot_be_checked_in(event, technopark, staff_user):
    event.capacity = 1
    services.event_save(event=event, actor=None)
    a, b = (UserFactory(organization=technopark, email=f"k{i}@tp.example") for i in range(2))
    services.registration_create(event_id=event.pk, user=a)
    rb = services.registration_create(event_id=event.pk, user=b)
    with pytest.raises(ValidationError):
        services.registration_check_in(registration_id=rb.pk, actor=staff_user)


@pytest.mark.django_db
def test_feedback_only_after_the_event_and_only_from_attendees(event, partner_a, staff_user):
    registration = services.registration_create(event_id=event.pk, user=partner_a)
    with pytest.raises(ValidationError):
        services.feedback_submit(registration_id=registration.pk, rating=5)
    services.registration_check_in(registration_id=registration.pk, actor=staff_user)
    with pytest.raises(ValidationError):
        services.feedback_submit(registration_id=registration.pk, rating=5)  # the event has not ended
    from events.models import Event

    Event.objects.filter(pk=event.pk).update(
        start=timezone.now() - dt.timedelta(hours=5), end=timezone.now() - dt.timedelta(hours=1), registration_closes=None
    )
    feedback = services.feedback_submit(registration_id=registration.pk, rating=4, comment="Useful")
    assert feedback.rating == 4
    feedback = services.feedback_submit(registration_id=registration.pk, rating=5, comment="Very useful")
    assert feedback.rating == 5 and registration.feedback.comment == "Very useful"
