"""Times: stored in UTC, shown in WIB and KST side by side (plus the viewer's zone)."""
import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from kitb_portal.common.zonetime import range_in_zones, range_text

UTC = dt.UTC


def test_wib_and_kst_side_by_side():
    start = dt.datetime(2030, 3, 4, 2, 0, tzinfo=UTC)
    parts = range_in_zones(start, start + dt.timedelta(hours=3), "Asia/Jakarta")
    assert [(p.label, p.text) for p in parts] == [
        ("WIB", "March 4, 2030, 09:00–12:00"),
        ("KST", "March 4, 2030, 11:00–14:00"),
    ]


def test_viewer_zone_added_when_neither():
    start = dt.datetime(2030, 3, 4, 2, 0, tzinfo=UTC)
    text = range_text(start, start + dt.timedelta(hours=3), "Europe/Berlin")
    assert text.endswith("March 4, 2030, 03:00–06:00 Berlin")
    assert "WIB" in text and "KST" in text


def test_active_zone_is_the_viewers_by_default():
    start = dt.datetime(2030, 3, 4, 2, 0, tzinfo=UTC)
    with timezone.override(zoneinfo.ZoneInfo("America/New_York")):
        assert "New York" in range_text(start, start + dt.timedelta(hours=1))
    with timezone.override(zoneinfo.ZoneInfo("Asia/Seoul")):
        assert range_text(start, start + dt.timedelta(hours=1)).count("·") == 1


def test_crossing_midnight_in_one_zone_shows_both_dates():
    start = dt.datetime(2030, 3, 4, 14, 0, tzinfo=UTC)  # 21:00 WIB, 23:00 KST
    parts = range_in_zones(start, start + dt.timedelta(hours=2), "Asia/Jakarta")
    assert parts[0].text == "March 4, 2030, 21:00–23:00"
    assert parts[1].text == "March 4, 2030, 23:00 – March 5, 2030, 01:00"


def test_dates_in_the_active_language():
    start = dt.datetime(2030, 3, 4, 2, 0, tzinfo=UTC)
    with translation.override("ko"):
        assert "2030년 3월 4일" in range_text(start, start + dt.timedelta(hours=1), "Asia/Seoul")


@pytest.mark.django_db
def test_template_tag_renders_html_with_zone_names(event):
    html = Template("{% load event_time %}{% event_when event tz='Asia/Jakarta' %}").render(Context({"event": event}))
    assert 'data-zone="Asia/Jakarta"' in html and 'data-zone="Asia/Seoul"' in html
    assert "<abbr" in html and "WIB" in html and "KST" in html
