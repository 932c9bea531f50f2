"""The public archive: filters in the query string, past events with agenda and published
presentation files, RSS/Atom feeds and the public .ics of every upcoming public event."""
from __future__ import annotations

import datetime as dt

import feedparser
import icalendar
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Event, Presentation, Session
from kitb_portal.common.pdf import sample_pdf_bytes

from .factories import EventFactory


def _past(event: Event, days: int = 30) -> Event:
    """Move ``event`` into the past and mark it completed (as the follow-up sweep would)."""
    start = timezone.now() - dt.timedelta(days=days)
    Event.objects.filter(pk=event.pk).update(start=start, end=start + dt.timedelta(hours=4), status=Event.Status.COMPLETED,
                                             registration_opens=None, registration_closes=None)
    event.refresh_from_db()
    return event


@pytest.fixture
def public_events(db, staff_user):
    upcoming = EventFactory(published=True, is_public=True, actor=staff_user, title_en="Battery workshop", kind="workshop",
                            title_ko="배터리 워크숍", title_id="", topics=["investment"])
    seminar = EventFactory(published=True, is_public=True, actor=staff_user, title_en="Startup seminar", title_ko="",
                           topics=["startups"])
    private = EventFactory(published=True, is_public=False, actor=staff_user, title_en="Partners only seminar")
    past = _past(EventFactory(published=True, is_public=True, actor=staff_user, title_en="Last year's conference",
                              kind="conference"))
    Session.objects.create(event=past, title="Opening keynote on batteries", start=past.start,
                           end=past.start + dt.timedelta(hours=1))
    return {"upcoming": upcoming, "seminar": seminar, "private": private, "past": past}


def _titles(response) -> set[str]:
    return {e.title_en for e in response.context["events"]}


@pytest.mark.django_db
def test_upcoming_list_filters_by_kind_topic_month_language(client, public_events):
    url = reverse("events_public:event_list")
    assert _titles(client.get(url)) == {"Battery workshop", "Startup seminar"}
    assert _titles(client.get(url, {"kind": "workshop"})) == {"Battery workshop"}
    assert _titles(client.get(url, {"topic": "startups"})) == {"Startup seminar"}
    assert _titles(client.get(url, {"language": "ko"})) == {"Battery workshop"}
    month = timezone.localtime(public_events["seminar"].start).strftime("%Y-%m")
    assert "Startup seminar" in _titles(client.get(url, {"month": month}))
    assert _titles(client.get(url, {"month": "2001-01"})) == set()


@pytest.mark.django_db
@pytest.mark.parametrize("params", [
    {"kind": "party"}, {"topic": "<script>"}, {"month": "2026-13"}, {"month": "yesterday"}, {"month": "9999-01"},
    {"language": "fr"}, {"page": "x"}, {"page": "99999"}, {"kind": "a" * 5000}, {"month": "2026-03\x00"},
])
def test_bad_filter_values_are_ignored_with_a_message_never_500(client, public_events, params):
    for name in ("events_public:event_list", "events_public:event_archive"):
        response = client.get(reverse(name), params)
        assert response.status_code == 200
        html = response.content.decode()
        assert "<script>" not in html
        if "page" not in params:
            assert "This filter was left out." in html


@pytest.mark.django_db
def test_filters_are_shareable_in_pagination_and_archive_links(client, public_events):
    response = client.get(reverse("events_public:event_list"), {"kind": "workshop", "bogus": "1"})
    assert response.context["query"] == "kind=workshop"
    assert f'{reverse("events_public:event_archive")}?kind=workshop' in response.content.decode()


@pytest.mark.django_db
def test_archive_lists_past_public_events_only_and_the_page_shows_the_agenda(client, public_events, staff_user):
    cancelled = _past(EventFactory(published=True, is_public=True, actor=staff_user, title_en="Cancelled meetup"))
    Event.objects.filter(pk=cancelled.pk).update(status=Event.Status.CANCELLED, cancelled_at=timezone.now())
    private_past = _past(EventFactory(published=True, is_public=False, actor=staff_user, title_en="Private past"))
    response = client.get(reverse("events_public:event_archive"))
    assert _titles(response) == {"Last year's conference"}
    assert private_past.title_en not in response.content.decode()
    detail = client.get(reverse("events_public:event_detail", args=[public_events["past"].slug]))
    assert detail.status_code == 200 and "Opening keynote on batteries" in detail.content.decode()


def _presentation(event, staff, *, published: bool, title="Keynote slides") -> Presentation:
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["add_presentation", "change_presentation"]))
    staff = type(staff).objects.get(pk=staff.pk)
    upload = SimpleUploadedFile("slides.pdf", sample_pdf_bytes("Slides"), content_type="application/pdf")
    return services.presentation_add(actor=staff, event_id=event.pk, title=title, uploaded=upload, is_published=published)


@pytest.mark.django_db
def test_published_presentation_of_a_public_event_is_served_unpublished_or_private_is_404(
    client, public_events, staff_user, settings, tmp_path,
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    past = public_events["past"]
    shown = _presentation(past, staff_user, published=True)
    hidden = _presentation(past, staff_user, published=False, title="Draft slides")
    page = client.get(reverse("events_public:event_detail", args=[past.slug])).content.decode()
    assert "Keynote slides" in page and "Draft slides" not in page
    response = client.get(reverse("events_public:presentation_file", args=[past.slug, shown.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("events_public:presentation_file", args=[past.slug, hidden.pk])).status_code == 404
    # the same file through another event's address, or once the event is no longer public: 404
    other = public_events["upcoming"]
    assert client.get(reverse("events_public:presentation_file", args=[other.slug, shown.pk])).status_code == 404
    Event.objects.filter(pk=past.pk).update(is_public=False)
    assert client.get(reverse("events_public:presentation_file", args=[past.slug, shown.pk])).status_code == 404
    assert not (tmp_path / "events").exists() or all(p.suffix == ".pdf" for p in (tmp_path / "events").rglob("*") if p.is_file())


@pytest.mark.django_db
def test_presentation_upload_refuses_a_file_that_is_not_a_pdf(public_events, staff_user, settings, tmp_path):
    from django.core.exceptions import ValidationError

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    staff_user.user_permissions.add(Permission.objects.get(codename="add_presentation"))
    staff = type(staff_user).objects.get(pk=staff_user.pk)
    with pytest.raises(ValidationError, match="not a PDF"):
        services.presentation_add(actor=staff, event_id=public_events["past"].pk, title="x",
                                  uploaded=SimpleUploadedFile("x.pdf", b"GIF89a....", content_type="application/pdf"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["events_public:feed_rss", "events_public:feed_atom"])
def test_feeds_parse_and_list_upcoming_public_events(client, public_events, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    titles = {entry.title for entry in feed.entries}
    assert titles == {"Battery workshop", "Startup seminar"}
    links = {entry.link for entry in feed.entries}
    assert any(link.endswith(reverse("events_public:event_detail", args=[public_events["upcoming"].slug])) for link in links)


@pytest.mark.django_db
def test_feed_follows_the_readers_language(client, public_events):
    response = client.get(reverse("events_public:feed_rss"), HTTP_ACCEPT_LANGUAGE="ko")
    titles = {entry.title for entry in feedparser.parse(response.content).entries}
    assert "배터리 워크숍" in titles


@pytest.mark.django_db
def test_public_calendar_parses_and_holds_every_upcoming_public_event(client, public_events):
    response = client.get(reverse("events_public:calendar_ics"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    summaries = {str(component["summary"]) for component in calendar.walk("VEVENT")}
    assert summaries == {"Battery workshop", "Startup seminar"}
    assert all("meet" not in str(component.get("location", "")) for component in calendar.walk("VEVENT"))
