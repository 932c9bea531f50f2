"""iCalendar: the .ics of an event parses back to the right instants; the private feed."""
import datetime as dt
import zoneinfo

import icalendar
import pytest

from events import services
from events.models import CalendarFeed

from .factories import EventFactory, VenueFactory


@pytest.fixture
def seoul_event(db, staff_user):
    venue = VenueFactory(name="Innovation Center", korea=True)
    start = dt.datetime(2031, 5, 12, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Seoul"))
    return EventFactory(
        published=True, venue=venue, start=start, end=start + dt.timedelta(hours=3, minutes=30), actor=staff_user,
        mode="hybrid", meeting_link="https://meet.example.org/secret-room",
    )


def _only_vevent(body: bytes):
    calendar = icalendar.Calendar.from_ical(body)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


@pytest.mark.django_db
def test_ics_parsed_back_gives_the_right_instants(client_a, seoul_event, partner_a):
    response = client_a.get(f"/portal/events/{seoul_event.pk}/event.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar, vevent = _only_vevent(response.content)
    start = vevent.decoded("dtstart")
    end = vevent.decoded("dtend")
    assert start == dt.datetime(2031, 5, 12, 1, 0, tzinfo=dt.UTC)  # 10:00 KST is 01:00 UTC (08:00 WIB)
    assert end == dt.datetime(2031, 5, 12, 4, 30, tzinfo=dt.UTC)
    assert start.tzinfo is not None and str(vevent["DTSTART"].params["TZID"]) == "Asia/Seoul"
    assert calendar.walk("VTIMEZONE"), "the zone is described in the file"
    assert str(vevent["UID"]).startswith(f"event-{seoul_event.pk}@")
    assert vevent.decoded("dtstamp").tzinfo is not None
    assert "Innovation Center" in str(vevent["LOCATION"])
    assert str(vevent["ORGANIZER"]).startswith("mailto:")
    assert str(vevent["URL"]).endswith(f"/portal/events/{seoul_event.pk}/")
    # Not registered: no meeting link in the file.
    assert b"secret-room" not in response.content


@pytest.mark.django_db
def test_ics_carries_the_meeting_link_only_for_a_confirmed_place(client_a, seoul_event, partner_a):
    services.registration_create(event_id=seoul_event.pk, user=partner_a, attendance="online")  # hybrid: the link is for online places
    response = client_a.get(f"/portal/events/{seoul_event.pk}/event.ics")
    _calendar, vevent = _only_vevent(response.content)
    assert "secret-room" in str(vevent["DESCRIPTION"])


@pytest.mark.django_db
def test_feed_lists_my_events_and_rejects_a_wrong_or_reset_token(client, seoul_event, partner_a, partner_b, staff_user):
    other = EventFactory(published=True, actor=staff_user)
    services.registration_create(event_id=seoul_event.pk, user=partner_a, attendance="online")
    services.registration_create(event_id=other.pk, user=partner_b)
    feed = services.calendar_feed_get_or_create(user=partner_a)

    response = client.get(f"/portal/events/feed/{feed.token}.ics")  # no login: calendar clients fetch it
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert len(uids) == 1 and uids[0].startswith(f"event-{seoul_event.pk}@")
    assert b"secret-room" in response.content  # the feed is theirs: their confirmed place shows the link

    assert client.get(f"/portal/events/feed/{feed.token[:-1]}x.ics").status_code == 404
    assert client.get("/portal/events/feed/not-a-token.ics").status_code == 404

    old_token = feed.token
    new_feed = services.calendar_feed_reset(user=partner_a)
    assert new_feed.token != old_token
    assert client.get(f"/portal/events/feed/{old_token}.ics").status_code == 404
    assert client.get(f"/portal/events/feed/{new_feed.token}.ics").status_code == 200


@pytest.mark.django_db
def test_feed_reset_from_the_portal(client_a, partner_a):
    feed = services.calendar_feed_get_or_create(user=partner_a)
    response = client_a.post("/portal/events/feed/reset/")
    assert response.status_code == 302
    assert CalendarFeed.objects.get(user=partner_a).token != feed.token


@pytest.mark.django_db
def test_feed_of_a_deactivated_user_is_gone(client, partner_a):
    feed = services.calendar_feed_get_or_create(user=partner_a)
    partner_a.is_active = False
    partner_a.save(update_fields=["is_active"])
    assert client.get(f"/portal/events/feed/{feed.token}.ics").status_code == 404


def test_vtimezone_built_once_per_zone_and_the_file_unchanged(monkeypatch):
    """A zone's VTIMEZONE is built once per process (Timezone.from_tzinfo walks the zone second by
    second, ~25 ms a call) and the calendar is byte for byte what icalendar's own
    add_missing_timezones writes; an unknown zone is left out, as icalendar does."""
    from events import ical

    def calendar_with(*zones):
        cal = icalendar.Calendar()
        cal.add("prodid", ical.PRODID)
        cal.add("version", "2.0")
        for n, zone in enumerate(zones):
            item = icalendar.Event()
            item.add("uid", f"u{n}")
            item.add("dtstart", dt.datetime(2031, 5, 12, 10, tzinfo=zoneinfo.ZoneInfo(zone)))
            cal.add_component(item)
        return cal

    expected = calendar_with("Asia/Seoul", "Asia/Jakarta", "Europe/Berlin")
    expected.add_missing_timezones()
    ical._vtimezone.cache_clear()
    built = []
    original = icalendar.Timezone.from_tzinfo.__func__
    monkeypatch.setattr(icalendar.Timezone, "from_tzinfo",
                        classmethod(lambda cls, tz, tzid=None, *a, **k: built.append(tzid) or original(cls, tz, tzid, *a, **k)))
    for _ in range(3):
        cal = calendar_with("Asia/Seoul", "Asia/Jakarta", "Europe/Berlin")
        ical.add_missing_timezones(cal)
        parsed = icalendar.Calendar.from_ical(cal.to_ical())
        assert sorted(str(tz["TZID"]) for tz in parsed.walk("VTIMEZONE")) == ["Asia/Jakarta", "Asia/Seoul", "Europe/Berlin"]
        assert parsed.get_missing_tzids() == set()
        assert sorted(cal.to_ical().split(b"\r\n")) == sorted(expected.to_ical().split(b"\r\n"))
        seoul = next(tz for tz in parsed.walk("VTIMEZONE") if str(tz["TZID"]) == "Asia/Seoul")
        assert seoul.to_tz().utcoffset(dt.datetime(2031, 5, 12, 10)) == dt.timedelta(hours=9)
    assert sorted(built) == ["Asia/Jakarta", "Asia/Seoul", "Europe/Berlin"]
    one = calendar_with("Asia/Seoul")
    ical.add_missing_timezones(one)
    reference = calendar_with("Asia/Seoul")
    reference.add_missing_timezones()
    assert one.to_ical() == reference.to_ical()
