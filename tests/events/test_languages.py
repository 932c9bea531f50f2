"""Month and weekday names, dates and .ics texts in the reader's language (Django's catalogues and
the project's formats, never Python's calendar module)."""

import datetime as dt
import zoneinfo

import icalendar
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from events import ical, services
from kitb_portal.notifications.models import NotificationPreference

from .factories import EventFactory

ENGLISH_WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


@pytest.mark.parametrize(
    ("lang", "month", "weekdays"),
    [
        ("ko", "2026년 12월", ["월", "화", "수", "목", "금", "토", "일"]),
        ("id", "Desember 2026", ["Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"]),
        ("en", "December 2026", ENGLISH_WEEKDAYS),
    ],
)
@pytest.mark.django_db
def test_admin_calendar_names_months_and_weekdays_in_the_staff_language(staff_client, lang, month, weekdays):
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = staff_client.get(reverse("admin:events_event_calendar"), {"date": "2026-12-05"})
    assert response.status_code == 200
    assert response.context["period_title"] == month
    assert response.context["weekdays"] == weekdays
    page = response.content.decode()
    assert f"<strong>{month}</strong>" in page
    if lang != "en":
        assert "December" not in page
        for name in ENGLISH_WEEKDAYS:
            assert f">{name}<" not in page


@pytest.mark.django_db
def test_admin_week_view_names_the_month_of_each_day(staff_client):
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    response = staff_client.get(reverse("admin:events_event_calendar"), {"view": "week", "date": "2026-12-30"})
    page = response.content.decode()
    assert "31 Des" in page and "1 Jan" in page and "Dec" not in page


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ko", {"DATE_FORMAT": "2026년 12월 5일", "YEAR_MONTH_FORMAT": "2026년 12월", "DATETIME_FORMAT": "2026년 12월 5일 14:30"}),
        ("id", {"DATE_FORMAT": "5 Desember 2026", "YEAR_MONTH_FORMAT": "Desember 2026", "DATETIME_FORMAT": "5 Desember 2026, 14.30"}),
    ],
)
def test_dates_read_as_people_of_the_language_write_them(lang, expected):
    moment = dt.datetime(2026, 12, 5, 14, 30)
    with translation.override(lang):
        assert {name: date_format(moment, name) for name in expected} == expected


@pytest.fixture
def bilingual_event(db, staff_user):
    start = dt.datetime(2031, 5, 12, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Seoul"))
    return EventFactory(
        published=True, start=start, end=start + dt.timedelta(hours=2), actor=staff_user,
        title_en="Battery supply chain seminar", title_ko="배터리 공급망 세미나", title_id="Seminar rantai pasok baterai",
        description_en="Cells and packs.", description_ko="셀과 팩.", description_id="Sel dan paket.",
    )


def _summary(body: bytes) -> tuple[str, str, str]:
    calendar = icalendar.Calendar.from_ical(body)
    (vevent,) = calendar.walk("VEVENT")
    return str(vevent["SUMMARY"]), str(vevent["DESCRIPTION"]), str(calendar["X-WR-CALNAME"])


@pytest.mark.django_db
def test_private_feed_is_in_its_owners_language_whatever_the_calendar_client_asks(client, bilingual_event, partner_a):
    partner_a.preferred_language = "ko"
    partner_a.save(update_fields=["preferred_language"])
    services.registration_create(event_id=bilingual_event.pk, user=partner_a)
    feed = services.calendar_feed_get_or_create(user=partner_a)

    response = client.get(f"/portal/events/feed/{feed.token}.ics", HTTP_ACCEPT_LANGUAGE="en")
    summary, description, name = _summary(response.content)
    assert (summary, description, name) == ("배터리 공급망 세미나", "셀과 팩.", "KITB 행사")


@pytest.mark.django_db
def test_ics_of_a_logged_in_user_follows_the_page_language(client_a, bilingual_event):
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    response = client_a.get(f"/portal/events/{bilingual_event.pk}/event.ics", HTTP_ACCEPT_LANGUAGE="id")
    assert _summary(response.content)[:2] == ("Seminar rantai pasok baterai", "Sel dan paket.")


@pytest.mark.django_db
def test_ics_attached_to_an_email_is_in_the_recipients_email_language(bilingual_event, partner_a):
    from events.emails import reader_language

    NotificationPreference.objects.create(user=partner_a, email_language="id")
    registration = services.registration_create(event_id=bilingual_event.pk, user=partner_a)
    with translation.override("ko"):  # the staff member who triggered it reads Korean
        body = ical.event_ics(bilingual_event, url="https://x.example/", include_meeting_link=False,
                              language=reader_language(registration))
    assert _summary(body)[0] == "Seminar rantai pasok baterai"


@pytest.mark.django_db
def test_admin_summary_breadcrumb_names_the_event_in_the_staff_language(staff_client):
    event = EventFactory(title_en="Battery seminar", title_ko="배터리 세미나", title_id="Seminar baterai")
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    page = staff_client.get(reverse("admin:events_event_summary", args=[event.pk])).content.decode()
    breadcrumbs = page.split('class="breadcrumbs"', 1)[1].split("</div>", 1)[0]
    assert "배터리 세미나" in breadcrumbs and "Battery seminar" not in breadcrumbs
