"""Hybrid events: on-site and online places are separate pools, each with its own waitlist, both
safe under concurrency; the meeting link goes only to confirmed online places; sessions and
speaker bios in id/ko/en with fallback."""

import pytest
from django.urls import reverse
from django.utils import translation

from events import services
from events.models import Registration, Session, Speaker
from kitb_portal.notifications.models import OutboxMessage
from tests.factories import OrganizationFactory, UserFactory
from tests.utils import race

from .factories import EventFactory, VenueFactory

LINK = "https://meet.example.org/hybrid-secret"


def _hybrid(staff, capacity=5, online_capacity=3, **extra):
    return EventFactory(
        published=True, mode="hybrid", capacity=capacity, online_capacity=online_capacity, meeting_link=LINK,
        venue=VenueFactory(name=f"Hybrid hall {capacity}-{online_capacity}"), actor=staff, **extra,
    )


@pytest.mark.django_db(transaction=True)
def test_on_site_and_online_places_raced_separately():
    org = OrganizationFactory(name="Hybrid Racing Org", country="KR")
    staff = UserFactory(staff=True, email="hybrid-race-staff@kitb.example", organization=None)
    event = _hybrid(staff, capacity=5, online_capacity=3)
    racers = [(UserFactory(email=f"onsite{i}@example.com", organization=org), "on_site") for i in range(12)]
    racers += [(UserFactory(email=f"online{i}@example.com", organization=org), "online") for i in range(8)]
    def register(user, attendance):
        services.registration_create(event_id=event.pk, user=user, attendance=attendance)

    assert race(register, racers) == []
    for attendance, confirmed, waiting in (("on_site", 5, 7), ("online", 3, 5)):
        rows = Registration.objects.filter(event=event, attendance=attendance)
        assert rows.filter(status="confirmed").count() == confirmed, attendance
        positions = sorted(rows.filter(status="waitlisted").values_list("waitlist_position", flat=True))
        assert positions == list(range(1, waiting + 1)), attendance


@pytest.mark.django_db
def test_meeting_link_only_for_confirmed_online_places(client, staff_user, technopark, mail_on_commit):
    event = _hybrid(staff_user, capacity=2, online_capacity=1)
    on_site = UserFactory(organization=technopark, email="onsite@tp.example")
    online = UserFactory(organization=technopark, email="online@tp.example")
    late = UserFactory(organization=technopark, email="late@tp.example")
    r_site = mail_on_commit(services.registration_create, event_id=event.pk, user=on_site, attendance="on_site")
    r_online = mail_on_commit(services.registration_create, event_id=event.pk, user=online, attendance="online")
    r_late = mail_on_commit(services.registration_create, event_id=event.pk, user=late, attendance="online")
    assert (r_site.status, r_online.status, r_late.status) == ("confirmed", "confirmed", "waitlisted")
    assert r_late.waitlist_position == 1
    for user, sees in ((on_site, False), (online, True), (late, False)):
        client.force_login(user)
        page = client.get(reverse("events:event_detail", args=[event.pk])).content.decode()
        ics = client.get(reverse("events:event_ics", args=[event.pk])).content.decode()
        mail = " ".join(OutboxMessage.objects.filter(recipient=user).values_list("body_text", flat=True))
        assert (LINK in page, "hybrid-secret" in ics, LINK in mail) == (sees, sees, sees), user.email
    # an on-site place freed promotes nobody from the online waitlist
    services.registration_cancel(registration_id=r_site.pk, actor=on_site)
    r_late.refresh_from_db()
    assert r_late.status == "waitlisted"
    services.registration_cancel(registration_id=r_online.pk, actor=online)
    r_late.refresh_from_db()
    assert r_late.status == "confirmed" and r_late.attendance == "online"


@pytest.mark.django_db
def test_a_non_hybrid_event_ignores_the_choice(staff_user, partner_a):
    event = EventFactory(published=True, actor=staff_user)
    registration = services.registration_create(event_id=event.pk, user=partner_a, attendance="online")
    assert registration.attendance == "on_site"


@pytest.mark.django_db
def test_session_titles_and_bios_fall_back(staff_user):
    event = EventFactory(published=True, actor=staff_user)
    session = Session.objects.create(event=event, title="Opening", title_ko="개회", start=event.start, end=event.end,
                                     language="ko", interpretation=True)
    speaker = Speaker.objects.create(name="Kim", bio="Engineer.", bio_id="Insinyur.")
    with translation.override("ko"):
        assert session.localized_title == "개회" and speaker.localized_bio == "Engineer."
    with translation.override("id"):
        assert session.localized_title == "Opening" and speaker.localized_bio == "Insinyur."


@pytest.mark.django_db
def test_hybrid_places_shown_per_pool_and_in_total(client, staff_user, partner_a):
    event = _hybrid(staff_user, capacity=1, online_capacity=2)
    services.registration_create(event_id=event.pk, user=UserFactory(email="x@tp.example", organization=partner_a.organization))
    client.force_login(partner_a)
    response = client.get(reverse("events:event_detail", args=[event.pk]))
    assert response.context["is_full"] is False  # one of three places taken: online places are left
    assert [(p["attendance"], p["full"]) for p in response.context["pools"]] == [("on_site", True), ("online", False)]
    assert "1 of 3 taken" in response.content.decode()
