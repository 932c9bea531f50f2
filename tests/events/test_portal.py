"""Portal pages: list, detail, register/cancel in one click, my registrations, QR, feedback,
partner isolation, and the staff check-in page."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Event, Registration
from tests.factories import UserFactory
from tests.utils import assert_flat_queries, count_queries

from .factories import EventFactory, VenueFactory


def _make_events(n, actor):
    venue = VenueFactory(name=f"Venue for {n}")
    base = (timezone.now() + dt.timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    return [
        EventFactory(published=True, venue=venue, actor=actor, start=base + dt.timedelta(hours=5 * i),
                     end=base + dt.timedelta(hours=5 * i + 4), topics=["innovation", "msme"])
        for i in range(n)
    ]


@pytest.mark.slow  # builds the data twice: the query count at two sizes
@pytest.mark.django_db
def test_event_list_queries_do_not_grow_with_the_events(client, partner_a, staff_user):
    client.force_login(partner_a)
    url = reverse("events:event_list")
    events = _make_events(5, staff_user)
    services.registration_create(event_id=events[0].pk, user=partner_a)
    small = count_queries(client.get, url)
    assert small[2].status_code == 200
    more = _make_events(35, staff_user)  # two pages and more
    services.registration_create(event_id=more[3].pk, user=partner_a)
    large = count_queries(client.get, url)
    assert large[2].status_code == 200
    assert len(large[2].context["events"]) == 20  # paginated
    assert_flat_queries(small, large, limit=12)


@pytest.mark.slow  # builds the data twice: the query count at two sizes
@pytest.mark.django_db
def test_admin_event_changelist_queries_do_not_grow(staff_client, partner_a, staff_user):
    url = reverse("admin:events_event_changelist")
    events = _make_events(5, staff_user)
    services.registration_create(event_id=events[0].pk, user=partner_a)
    small = count_queries(staff_client.get, url)
    assert small[2].status_code == 200
    _make_events(35, staff_user)
    large = count_queries(staff_client.get, url)
    assert large[2].status_code == 200
    assert_flat_queries(small, large, limit=20)


@pytest.mark.slow  # builds the data twice: the query count at two sizes
@pytest.mark.django_db
def test_admin_registration_changelist_queries_do_not_grow(staff_client, staff_user, technopark):
    url = reverse("admin:events_registration_changelist")
    event = EventFactory(published=True, capacity=500, actor=staff_user)
    for i in range(5):
        services.registration_create(event_id=event.pk, user=UserFactory(organization=technopark, email=f"s{i}@x.example"))
    small = count_queries(staff_client.get, url)
    for i in range(5, 30):
        services.registration_create(event_id=event.pk, user=UserFactory(organization=technopark, email=f"s{i}@x.example"))
    large = count_queries(staff_client.get, url)
    assert large[2].status_code == 200
    assert_flat_queries(small, large, limit=20)


@pytest.mark.django_db
def test_list_shows_published_upcoming_events_with_both_zones_and_filters(client_a, event, staff_user):
    draft = EventFactory(actor=staff_user, title_en="Secret draft")
    workshop = EventFactory(published=True, actor=staff_user, kind="workshop", title_en="Hands-on workshop", topics=["startups"])
    page = client_a.get(reverse("events:event_list")).content.decode()
    assert event.title_en in page and workshop.title_en in page and draft.title_en not in page
    assert "WIB" in page and "KST" in page
    filtered = client_a.get(reverse("events:event_list"), {"kind": "workshop"}).content.decode()
    assert workshop.title_en in filtered and event.title_en not in filtered
    by_topic = client_a.get(reverse("events:event_list"), {"topic": "startups"}).content.decode()
    assert workshop.title_en in by_topic and event.title_en not in by_topic


@pytest.mark.django_db
def test_title_in_the_viewers_language_with_english_fallback(client, partner_a, event):
    partner_a.preferred_language = "ko"
    partner_a.save(update_fields=["preferred_language"])
    client.force_login(partner_a)
    page = client.get(reverse("events:event_detail", args=[event.pk]), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert event.title_ko in page
    Event.objects.filter(pk=event.pk).update(title_ko="")
    page = client.get(reverse("events:event_detail", args=[event.pk]), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert f"<h1 class=\"h3\">{event.title_en}</h1>" in page


@pytest.mark.django_db
def test_viewer_zone_shown_when_neither_wib_nor_kst(client, partner_a, event):
    partner_a.time_zone = "Europe/Berlin"
    partner_a.save(update_fields=["time_zone"])
    client.force_login(partner_a)
    page = client.get(reverse("events:event_detail", args=[event.pk])).content.decode()
    assert "WIB" in page and "KST" in page and "Berlin" in page


@pytest.mark.django_db
def test_register_and_cancel_in_one_click(client_a, partner_a, event):
    response = client_a.post(reverse("events:event_register", args=[event.pk]), follow=True)
    assert "You have a place" in response.content.decode()
    registration = Registration.objects.get(event=event, user=partner_a)
    assert registration.status == "confirmed"
    page = client_a.get(reverse("events:event_detail", args=[event.pk])).content.decode()
    assert registration.check_in_code in page
    assert reverse("events:registration_qr", args=[registration.pk]) in page
    response = client_a.post(reverse("events:registration_cancel", args=[registration.pk]), follow=True)
    assert "cancelled" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == "cancelled"


@pytest.mark.django_db
def test_registering_for_a_full_event_says_waitlist(client_a, event, technopark):
    event.capacity = 1
    services.event_save(event=event, actor=None)
    services.registration_create(event_id=event.pk, user=UserFactory(organization=technopark, email="first@tp.example"))
    page = client_a.get(reverse("events:event_detail", args=[event.pk])).content.decode()
    assert "Join the waitlist" in page
    response = client_a.post(reverse("events:event_register", args=[event.pk]), follow=True)
    assert "on the waitlist (number 1)" in response.content.decode()


@pytest.mark.django_db
def test_refusal_shows_a_message_not_an_error_page(client_a, event, staff_user):
    services.event_cancel(event_id=event.pk, actor=staff_user)
    response = client_a.post(reverse("events:event_register", args=[event.pk]), follow=True)
    assert response.status_code == 200
    assert "cancelled" in response.content.decode()


@pytest.mark.django_db
def test_register_needs_post(client_a, event):
    assert client_a.get(reverse("events:event_register", args=[event.pk])).status_code == 405


@pytest.mark.django_db
def test_meeting_link_only_for_confirmed_places(client, partner_a, partner_b, staff_user, technopark):
    online = EventFactory(published=True, online=True, capacity=1, actor=staff_user, meeting_link="https://meet.example.org/hidden-room")
    client.force_login(partner_a)
    assert "hidden-room" not in client.get(reverse("events:event_detail", args=[online.pk])).content.decode()
    services.registration_create(event_id=online.pk, user=partner_a)
    assert "hidden-room" in client.get(reverse("events:event_detail", args=[online.pk])).content.decode()
    # Partner B ends up on the waitlist: still no link.
    services.registration_create(event_id=online.pk, user=partner_b)
    client.force_login(partner_b)
    page = client.get(reverse("events:event_detail", args=[online.pk])).content.decode()
    assert "Waitlisted" in page and "hidden-room" not in page
    assert b"hidden-room" not in client.get(reverse("events:event_ics", args=[online.pk])).content


@pytest.mark.django_db
def test_partner_isolation_on_registrations(client, partner_a, partner_b, event):
    mine = services.registration_create(event_id=event.pk, user=partner_a)
    client.force_login(partner_b)
    assert client.post(reverse("events:registration_cancel", args=[mine.pk])).status_code == 404
    assert client.get(reverse("events:registration_qr", args=[mine.pk])).status_code == 404
    page = client.get(reverse("events:my_registrations")).content.decode()
    assert mine.check_in_code not in page and event.title_en not in page
    mine.refresh_from_db()
    assert mine.status == "confirmed"
    # Partner A sees their own.
    client.force_login(partner_a)
    page = client.get(reverse("events:my_registrations")).content.decode()
    assert event.title_en in page and mine.check_in_code in page
    qr = client.get(reverse("events:registration_qr", args=[mine.pk]))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content


@pytest.mark.django_db
def test_colleague_of_the_same_organisation_cannot_touch_my_registration(client, partner_a, technopark, event):
    mine = services.registration_create(event_id=event.pk, user=partner_a)
    colleague = UserFactory(organization=technopark, email="colleague@tp.example")
    client.force_login(colleague)
    assert client.post(reverse("events:registration_cancel", args=[mine.pk])).status_code == 404
    assert client.get(reverse("events:registration_qr", args=[mine.pk])).status_code == 404


@pytest.mark.django_db
def test_drafts_are_404_for_partners(client_a, staff_user):
    draft = EventFactory(actor=staff_user)
    for name in ("events:event_detail", "events:event_ics", "events:feedback"):
        assert client_a.get(reverse(name, args=[draft.pk])).status_code == 404
    assert client_a.post(reverse("events:event_register", args=[draft.pk])).status_code == 404
    assert client_a.get(reverse("events:event_detail", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_portal_pages_need_login(client, event):
    for url in (reverse("events:event_list"), reverse("events:event_detail", args=[event.pk]), reverse("events:my_registrations")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login" in response["Location"]


@pytest.mark.django_db
def test_feedback_form_after_the_event(client_a, partner_a, event, staff_user):
    registration = services.registration_create(event_id=event.pk, user=partner_a)
    url = reverse("events:feedback", args=[event.pk])
    assert client_a.get(url).status_code == 404  # not attended, not over
    services.registration_check_in(registration_id=registration.pk, actor=staff_user)
    Event.objects.filter(pk=event.pk).update(
        start=timezone.now() - dt.timedelta(hours=4), end=timezone.now() - dt.timedelta(hours=1), registration_closes=None
    )
    assert client_a.get(url).status_code == 200
    response = client_a.post(url, {"rating": "7", "comment": "?"})
    assert response.status_code == 200 and "rating" in response.context["form"].errors
    response = client_a.post(url, {"rating": "4", "comment": "Good networking"})
    assert response.status_code == 302
    assert registration.feedback.rating == 4


@pytest.mark.django_db
def test_checkin_page_is_staff_only_and_counts(client, partner_a, event, admin_user, technopark):
    registration = services.registration_create(event_id=event.pk, user=partner_a)
    services.registration_create(event_id=event.pk, user=UserFactory(organization=technopark, email="z@tp.example"))
    url = reverse("events:checkin", args=[event.pk])
    client.force_login(partner_a)
    assert client.get(url).status_code == 404
    assert client.post(url, {"registration": registration.pk}).status_code == 404
    client.force_login(admin_user)
    page = client.get(url, {"q": registration.check_in_code.lower()})
    assert page.status_code == 200
    assert partner_a.full_name in page.content.decode()
    assert page.context["counts"] == {"attended": 0, "expected": 2}
    by_name = client.get(url, {"q": partner_a.full_name.split()[0]})
    assert registration in by_name.context["results"]
    response = client.post(url, {"registration": registration.pk}, follow=True)
    assert response.context["counts"] == {"attended": 1, "expected": 2}
    registration.refresh_from_db()
    assert registration.status == "attended"
    # A registration of another event is not found from this page.
    other = EventFactory(published=True, actor=admin_user)
    foreign = services.registration_create(event_id=other.pk, user=UserFactory(organization=technopark, email="f@tp.example"))
    assert client.post(url, {"registration": foreign.pk}).status_code == 404
    assert client.post(url, {"registration": "nonsense"}).status_code == 302


@pytest.mark.django_db
def test_staff_without_registration_rights_cannot_check_in(client, staff_user, event):
    client.force_login(staff_user)  # staff, but in no role group
    assert client.get(reverse("events:checkin", args=[event.pk])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("q, titles", [
    ("SEMINAR", ["Investment seminar", "Seminar 100% online"]), ("반도체", ["Semiconductor day"]),
    ("pelatihan", ["Semiconductor day"]), ("100%", ["Seminar 100% online"]), ("_", []), ("Talk", []),
])
def test_event_list_search_reads_the_three_titles_as_written(client, partner_a, staff_user, q, titles):
    """Any case, any of the three languages' titles; ``%`` and ``_`` are themselves, not wildcards."""
    EventFactory(published=True, actor=staff_user, title_en="Investment seminar")
    EventFactory(published=True, actor=staff_user, title_en="Seminar 100% online")
    EventFactory(published=True, actor=staff_user, title_en="Semiconductor day", title_ko="반도체의 날",
                 title_id="Hari pelatihan semikonduktor")
    client.force_login(partner_a)
    response = client.get(reverse("events:event_list"), {"q": q})
    assert response.status_code == 200
    assert sorted(e.title_en for e in response.context["events"]) == titles
