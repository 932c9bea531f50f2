"""The private calendar feed gives the meeting link only to a confirmed or attended place, as the
event page, the .ics download and the e-mails do; a waitlisted place sees the event without it."""
import datetime as dt

import icalendar
import pytest

from events import services
from events.models import RegistrationStatus

from .factories import EventFactory

pytestmark = pytest.mark.django_db

LINK = "https://meet.example.org/room-for-confirmed-only"


def feed_events(client, user) -> dict[int, str]:
    feed = services.calendar_feed_get_or_create(user=user)
    response = client.get(f"/portal/events/feed/{feed.token}.ics")
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    return {
        int(str(e["UID"]).split("@")[0].removeprefix("event-")): f'{e.get("DESCRIPTION", "")} {e.get("LOCATION", "")}'
        for e in calendar.walk("VEVENT")
    }


def test_a_waitlisted_place_gets_no_meeting_link_in_the_feed(client, partner_a, partner_b, staff_user):
    full = EventFactory(published=True, actor=staff_user, capacity=1, mode="online", venue=None, meeting_link=LINK,
                        start=dt.datetime(2031, 6, 1, 2, tzinfo=dt.UTC), end=dt.datetime(2031, 6, 1, 4, tzinfo=dt.UTC))
    services.registration_create(event_id=full.pk, user=partner_b)  # takes the only place
    waiting = services.registration_create(event_id=full.pk, user=partner_a)
    assert waiting.status == RegistrationStatus.WAITLISTED

    mine = feed_events(client, partner_a)
    assert full.pk in mine  # the event is in the feed
    assert LINK not in mine[full.pk]
    # The confirmed person's feed shows it.
    assert LINK in feed_events(client, partner_b)[full.pk]
