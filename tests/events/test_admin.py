"""Staff admin: the event form (through the service), calendar views, summary, publish with
warnings, cancel with notice, attendance, exports."""
import datetime as dt
import io

import openpyxl
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Event, Registration
from tests.factories import UserFactory

from .factories import EventFactory, RoomFactory


def _local(value):
    return timezone.localtime(value)


def _event_post_data(venue, start, end, **extra):
    data = {
        "kind": "workshop", "title_en": "Battery workshop", "title_id": "", "title_ko": "", "slug": "",
        "topics": ["investment"], "mode": "on_site", "venue": venue.pk, "room": "", "meeting_link": "",
        "start_0": _local(start).strftime("%Y-%m-%d"), "start_1": _local(start).strftime("%H:%M:%S"),
        "end_0": _local(end).strftime("%Y-%m-%d"), "end_1": _local(end).strftime("%H:%M:%S"),
        "capacity": "25", "registration_opens_0": "", "registration_opens_1": "", "registration_closes_0": "",
        "registration_closes_1": "", "description_en": "", "description_id": "", "description_ko": "",
        "mou": "", "commitment": "",
        "sessions-TOTAL_FORMS": "1", "sessions-INITIAL_FORMS": "0", "sessions-MIN_NUM_FORMS": "0", "sessions-MAX_NUM_FORMS": "1000",
        "sessions-0-title": "Cell chemistry", "sessions-0-start_0": _local(start).strftime("%Y-%m-%d"),
        "sessions-0-start_1": _local(start).strftime("%H:%M:%S"), "sessions-0-end_0": _local(start).strftime("%Y-%m-%d"),
        "sessions-0-end_1": (_local(start) + dt.timedelta(hours=1)).strftime("%H:%M:%S"), "sessions-0-room": "",
        "sessions-0-description": "",
        "registrations-TOTAL_FORMS": "0", "registrations-INITIAL_FORMS": "0", "registrations-MIN_NUM_FORMS": "0",
        "registrations-MAX_NUM_FORMS": "0",
    }
    data.update(extra)
    return data


@pytest.mark.django_db
def test_admin_creates_an_event_with_agenda_through_the_service(staff_client, venue, admin_user):
    start = (timezone.now() + dt.timedelta(days=30)).replace(hour=3, minute=0, second=0, microsecond=0)
    response = staff_client.post(reverse("admin:events_event_add"), _event_post_data(venue, start, start + dt.timedelta(hours=5)))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    event = Event.objects.get(title_en="Battery workshop")
    assert event.slug.startswith("battery-workshop-") and event.status == "draft" and event.created_by == admin_user
    assert event.sessions.get().title == "Cell chemistry"
    assert event.history.first().history_user == admin_user


@pytest.mark.django_db
def test_admin_form_names_the_overlapping_event(staff_client, event):
    data = _event_post_data(event.venue, event.start + dt.timedelta(hours=1), event.end + dt.timedelta(hours=1))
    response = staff_client.post(reverse("admin:events_event_add"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "already booked" in page and event.title_en in page


@pytest.mark.django_db
def test_admin_refuses_a_session_outside_the_event(staff_client, venue):
    start = (timezone.now() + dt.timedelta(days=40)).replace(hour=3, minute=0, second=0, microsecond=0)
    data = _event_post_data(venue, start, start + dt.timedelta(hours=2), **{
        "sessions-0-start_1": (_local(start) - dt.timedelta(hours=1)).strftime("%H:%M:%S"),
    })
    response = staff_client.post(reverse("admin:events_event_add"), data)
    assert response.status_code == 200
    assert "inside its event" in response.content.decode()
    assert not Event.objects.filter(title_en="Battery workshop").exists()


@pytest.mark.django_db
def test_admin_time_change_of_a_published_event_tells_people(staff_client, event, partner_a, django_capture_on_commit_callbacks):
    services.registration_create(event_id=event.pk, user=partner_a)
    mail.outbox.clear()
    url = reverse("admin:events_event_change", args=[event.pk])
    data = _event_post_data(event.venue, event.start + dt.timedelta(days=1), event.end + dt.timedelta(days=1),
                            title_en=event.title_en, slug=event.slug, kind="seminar",
                            **{"sessions-TOTAL_FORMS": "0", "registrations-TOTAL_FORMS": "1", "registrations-INITIAL_FORMS": "1",
                               "registrations-0-id": str(event.registrations.get().pk), "registrations-0-event": str(event.pk)})
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert [m.to for m in mail.outbox] == [[partner_a.email]]
    assert "New time" in mail.outbox[0].subject


@pytest.mark.django_db
def test_calendar_month_and_week(staff_client, event):
    url = reverse("admin:events_event_calendar")
    day = _local(event.start).date().isoformat()
    month = staff_client.get(url, {"date": day})
    assert month.status_code == 200 and event.title_en in month.content.decode()
    assert len(month.context["weeks"]) in (4, 5, 6)
    week = staff_client.get(url, {"view": "week", "date": day})
    assert week.status_code == 200 and event.title_en in week.content.decode()
    assert len(week.context["weeks"]) == 1
    far = staff_client.get(url, {"date": "2001-01-01"})
    assert event.title_en not in far.content.decode()
    assert staff_client.get(url, {"date": "garbage"}).status_code == 200


@pytest.mark.django_db
def test_partner_cannot_reach_admin_pages(client_a, event):
    for url in (reverse("admin:events_event_calendar"), reverse("admin:events_event_summary", args=[event.pk])):
        response = client_a.get(url)
        assert response.status_code == 302 and "/admin/login" in response["Location"]


@pytest.mark.django_db
def test_summary_counts_by_organisation_country_and_feedback(staff_client, staff_user, technopark, province):
    event = EventFactory(published=True, capacity=2, actor=staff_user)
    a = UserFactory(organization=technopark, email="a1@tp.example")
    b = UserFactory(organization=province, email="b1@pv.example")
    c = UserFactory(organization=technopark, email="c1@tp.example")
    ra = services.registration_create(event_id=event.pk, user=a)
    services.registration_create(event_id=event.pk, user=b)
    services.registration_create(event_id=event.pk, user=c)  # waitlisted
    services.registration_check_in(registration_id=ra.pk, actor=staff_user)
    Event.objects.filter(pk=event.pk).update(start=timezone.now() - dt.timedelta(hours=3), end=timezone.now() - dt.timedelta(hours=1))
    services.feedback_submit(registration_id=ra.pk, rating=4, comment="Well organised")
    response = staff_client.get(reverse("admin:events_event_summary", args=[event.pk]))
    assert response.status_code == 200
    summary = response.context["summary"]
    assert (summary["registered"], summary["waitlisted"], summary["attended"]) == (2, 1, 1)
    orgs = {row["organization_name"]: (row["registered"], row["waitlisted"], row["attended"]) for row in summary["by_organization"]}
    assert orgs == {technopark.name: (1, 1, 1), province.name: (1, 0, 0)}
    assert {row["country"]: row["registered"] for row in summary["by_country"]} == {"KR": 2}
    assert summary["feedback_count"] == 1 and summary["feedback_average"] == 4
    assert "Well organised" in response.content.decode()


@pytest.mark.django_db
def test_publish_action_shows_warnings_then_publishes(staff_client, staff_user):
    small_room = RoomFactory(capacity=5)
    event = EventFactory(actor=staff_user, venue=small_room.venue, room=small_room, capacity=50)
    url = reverse("admin:events_event_changelist")
    response = staff_client.post(url, {"action": "publish_selected", "_selected_action": [event.pk]})
    assert response.status_code == 200
    assert "holds 5 people" in response.content.decode()
    event.refresh_from_db()
    assert event.status == "draft"  # not yet: staff saw the warnings first
    response = staff_client.post(url, {"action": "publish_selected", "_selected_action": [event.pk], "confirm": "yes"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == "published" and event.published_at


@pytest.mark.django_db
def test_publish_page_from_the_event(staff_client, staff_user):
    event = EventFactory(actor=staff_user)
    url = reverse("admin:events_event_publish", args=[event.pk])
    assert staff_client.get(url).status_code == 200
    assert staff_client.post(url).status_code == 302
    event.refresh_from_db()
    assert event.status == "published"


@pytest.mark.django_db
def test_cancel_action_asks_for_a_reason_and_tells_everyone(staff_client, event, partner_a, django_capture_on_commit_callbacks):
    services.registration_create(event_id=event.pk, user=partner_a)
    mail.outbox.clear()
    url = reverse("admin:events_event_changelist")
    response = staff_client.post(url, {"action": "cancel_selected", "_selected_action": [event.pk]})
    assert response.status_code == 200 and "will be cancelled" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {"action": "cancel_selected", "_selected_action": [event.pk], "confirm": "yes",
                                           "reason": "Typhoon warning"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == "cancelled"
    assert len(mail.outbox) == 1 and "Typhoon warning" in mail.outbox[0].body


@pytest.mark.django_db
def test_mark_attendance_action_on_registrations(staff_client, event, partner_a, partner_b):
    ra = services.registration_create(event_id=event.pk, user=partner_a)
    rb = services.registration_create(event_id=event.pk, user=partner_b)
    url = reverse("admin:events_registration_changelist")
    response = staff_client.post(url, {"action": "mark_attended", "_selected_action": [ra.pk]})
    assert response.status_code == 302
    ra.refresh_from_db()
    rb.refresh_from_db()
    assert ra.status == "attended" and rb.status == "confirmed"
    # From the event list, the action leads to that event's confirmed registrations.
    response = staff_client.post(reverse("admin:events_event_changelist"), {"action": "mark_attendance", "_selected_action": [event.pk]})
    assert response.status_code == 302 and f"event__id__exact={event.pk}" in response["Location"]


@pytest.mark.django_db
def test_export_registrations_csv_and_xlsx(staff_client, event, partner_a):
    registration = services.registration_create(event_id=event.pk, user=partner_a)
    csv_response = staff_client.get(reverse("admin:events_event_export", args=[event.pk, "csv"]))
    assert csv_response.status_code == 200 and csv_response["Content-Type"].startswith("text/csv")
    text = csv_response.content.decode()
    assert partner_a.email in text and registration.check_in_code in text and "WIB" in text
    assert "token" not in text.splitlines()[0]
    xlsx_response = staff_client.post(
        reverse("admin:events_event_changelist"), {"action": "export_registrations_xlsx", "_selected_action": [event.pk]}
    )
    assert xlsx_response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "id" and any(partner_a.email in row for row in rows[1:])


@pytest.mark.django_db
def test_admin_change_pages_render(staff_client, event, partner_a):
    registration = services.registration_create(event_id=event.pk, user=partner_a)
    for url in (
        reverse("admin:events_event_change", args=[event.pk]),
        reverse("admin:events_registration_change", args=[registration.pk]),
        reverse("admin:events_venue_change", args=[event.venue_id]),
        reverse("admin:events_feedback_changelist"),
        reverse("admin:events_venue_changelist"),
        reverse("admin:events_speaker_changelist"),
        reverse("admin:events_event_changelist") + "?topic=innovation",
        reverse("admin:events_event_history", args=[event.pk]),
    ):
        assert staff_client.get(url).status_code == 200, url
    assert Registration.objects.count() == 1


@pytest.mark.django_db
def test_a_partnerships_officer_reads_an_event_change_page_without_a_500(client, kitb, staff_user):
    """The events app is view-only for partnerships officers: the change page is read-only (no slug field)."""
    from django.contrib.auth.models import Group

    from kitb_portal.accounts import roles

    event = EventFactory(published=True, actor=staff_user)
    officer = UserFactory(staff=True, organization=kitb, email="officer-view@kitb.example")
    officer.groups.add(Group.objects.get(name=roles.PARTNERSHIPS_OFFICER))
    client.force_login(officer)
    response = client.get(reverse("admin:events_event_change", args=[event.pk]))
    assert response.status_code == 200
    assert event.title_en in response.content.decode()


@pytest.mark.django_db
def test_the_event_page_reads_the_agendas_rooms_and_speakers_once_whatever_the_sessions(staff_client, event):
    """Each session row's autocomplete widgets used to read their chosen room and speakers: two queries
    a row. They are read for all rows at once, and each row shows its own."""
    from events.models import Session
    from tests.utils import assert_flat_queries, count_queries

    from .factories import SpeakerFactory

    url = reverse("admin:events_event_change", args=[event.pk])

    def add_sessions(n):
        for _i in range(n):
            session = Session.objects.create(
                event=event, title=f"Session {event.sessions.count()}", room=RoomFactory(venue=event.venue, name=f"Room {event.sessions.count()}"),
                start=event.start, end=event.start + dt.timedelta(minutes=30),
            )
            session.speakers.set([SpeakerFactory(name=f"Speaker of {session.title}"), SpeakerFactory()])

    add_sessions(1)
    staff_client.get(url)  # warm: permissions, content types
    small = count_queries(staff_client.get, url)
    add_sessions(4)
    large = count_queries(staff_client.get, url)
    assert_flat_queries(small, large)
    page = large[2].content.decode()
    for session in event.sessions.all():
        assert f'>{session.room.name} (' in page
        for speaker in session.speakers.all():
            assert f"{speaker.name}" in page


@pytest.mark.django_db
def test_the_event_page_shows_the_first_registrations_and_links_to_them_all(staff_client, event, technopark, monkeypatch):
    """A big event's change page lists the first registrations (FirstRegistrationsFormSet.limit, 50;
    2 here) in the inline's order and says where all of them are; saving the event leaves every
    registration as it was."""
    import re

    from events.admin.events import FirstRegistrationsFormSet

    monkeypatch.setattr(FirstRegistrationsFormSet, "limit", 2)
    people = [UserFactory(organization=technopark, email=f"reg{i}@technopark.example", full_name=f"Person {i}") for i in range(3)]
    registrations = [services.registration_create(event_id=event.pk, user=person) for person in people[:2]]
    url = reverse("admin:events_event_change", args=[event.pk])
    page = staff_client.get(url).content.decode()
    assert 'name="registrations-INITIAL_FORMS" value="2"' in page and 'id="registrations-more"' not in page

    registrations.append(services.registration_create(event_id=event.pk, user=people[2]))
    response = staff_client.get(url)
    page = response.content.decode()
    shown = response.context["inline_admin_formsets"][1].formset
    assert [form.instance.pk for form in shown.forms] == list(
        Registration.objects.filter(event=event).order_by("status", "waitlist_position", "name").values_list("pk", flat=True)[:2]
    )
    assert 'name="registrations-INITIAL_FORMS" value="2"' in page
    link = reverse("admin:events_registration_changelist") + f"?event={event.pk}"
    assert 'id="registrations-more"' in page and f'href="{link}"' in page
    assert staff_client.get(link).context["cl"].result_count == 3

    before = list(Registration.objects.filter(event=event).order_by("pk").values())
    data = _event_post_data(event.venue, event.start, event.end, title_en="Renamed", **{
        "sessions-TOTAL_FORMS": "0", "sessions-INITIAL_FORMS": "0",
    })
    data["topics"] = event.topics
    data.update(dict(re.findall(r'<input type="hidden" name="(registrations-[^"]+)" value="([^"]*)"', page)))
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    event.refresh_from_db()
    assert event.title_en == "Renamed"
    assert list(Registration.objects.filter(event=event).order_by("pk").values()) == before
