"""Digests: who is due when, what each reader sees, nothing new means nothing sent, batching."""
from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from kitb_portal.accounts import roles
from kitb_portal.notifications import digest
from kitb_portal.notifications.digest import digests_send_due
from kitb_portal.notifications.models import DigestRun, NotificationPreference, OutboxMessage
from partnerships.models import Commitment
from tests.factories import UserFactory
from tests.partnerships.factories import CommitmentFactory, mou_with_parties
from tests.utils import assert_flat_queries, count_queries

from .conftest import staff_in

UTC = dt.UTC
# Monday 2026-11-30: 07:00 in Seoul (UTC+9) is Sunday 22:00 UTC; 07:00 in Jakarta (UTC+7) is Monday 00:00 UTC.
SEOUL_SEVEN = dt.datetime(2026, 11, 29, 22, 5, tzinfo=UTC)
JAKARTA_SEVEN = dt.datetime(2026, 11, 30, 0, 5, tzinfo=UTC)


def runs(**filters):
    return sorted(DigestRun.objects.filter(**filters).values_list("user__email", "frequency", "period", "status"))


# --- when ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_weekly_digest_is_due_at_seven_on_monday_in_the_readers_time_zone(technopark):
    UserFactory(organization=technopark, email="seoul@x.example", time_zone="Asia/Seoul")
    UserFactory(organization=technopark, email="jakarta@x.example", time_zone="Asia/Jakarta")
    daily = UserFactory(organization=technopark, email="daily@x.example", time_zone="Asia/Jakarta")
    NotificationPreference.objects.create(user=daily, digest_frequency="daily")
    off = UserFactory(organization=technopark, email="off@x.example", time_zone="Asia/Seoul")
    NotificationPreference.objects.create(user=off, digest_frequency="off")

    digests_send_due(now=SEOUL_SEVEN - dt.timedelta(hours=1))  # 06:05 in Seoul: nobody yet
    assert runs() == []
    digests_send_due(now=SEOUL_SEVEN)
    assert runs() == [("seoul@x.example", "weekly", "2026-W49", "empty")]
    digests_send_due(now=SEOUL_SEVEN + dt.timedelta(minutes=30))  # the same hour again: nothing twice
    digests_send_due(now=JAKARTA_SEVEN)
    assert runs() == [
        ("daily@x.example", "daily", "2026-11-30", "empty"),
        ("jakarta@x.example", "weekly", "2026-W49", "empty"),
        ("seoul@x.example", "weekly", "2026-W49", "empty"),
    ]
    # Tuesday 07:00 WIB: only the daily reader; the next digest covers what came after the last one
    tuesday = JAKARTA_SEVEN + dt.timedelta(days=1)
    digests_send_due(now=tuesday)
    assert runs(period="2026-12-01") == [("daily@x.example", "daily", "2026-12-01", "empty")]
    assert DigestRun.objects.get(user=daily, period="2026-12-01").since == JAKARTA_SEVEN
    assert runs(user=off) == []


# --- what ---------------------------------------------------------------------------------------


@pytest.fixture
def world(db, kitb, technopark, province, officer, partner_a, partner_b):
    """Two MoUs (one per partner organisation) expiring soon, a commitment due, an event, applications."""
    from events.models import Event
    from tenants.models import ScreeningSettings
    from tests.events.factories import EventFactory
    from tests.tenants.factories import ApplicationFactory, PlotFactory, ZoneFactory

    today = timezone.localdate()
    live = {"status": "active", "signed_date": today - dt.timedelta(days=700), "effective_date": today - dt.timedelta(days=700)}
    mou_a = mou_with_parties(kitb, technopark, owner=officer, reference="KITB/A/1", title_en="MoU A", title_ko="업무협약 A",
                             expiry_date=today + dt.timedelta(days=30), **live)
    mou_b = mou_with_parties(kitb, province, owner=officer, reference="KITB/B/1", title_en="MoU B",
                             expiry_date=today + dt.timedelta(days=60), **live)
    CommitmentFactory(mou=mou_a, description="Joint seminar on batteries", responsible_organization=technopark,
                      due_date=today + dt.timedelta(days=3))
    CommitmentFactory(mou=mou_b, description="Province investment tour", responsible_organization=province,
                      due_date=today - dt.timedelta(days=2))
    event = EventFactory(published=True, actor=officer, title_en="Battery forum", capacity=40,
                         start=timezone.now() + dt.timedelta(days=5))
    Event.objects.filter(pk=event.pk).update(published_at=timezone.now())
    ScreeningSettings.load()
    ApplicationFactory(referrer=technopark, company_name="Cheongju Cells", screening=True)
    ApplicationFactory(referrer=province, company_name="Province Motors", submitted=True)
    zone = ZoneFactory(code="phase-x", name="Phase X", area_ha=450)
    PlotFactory(zone=zone, area_ha=20)
    return {"mou_a": mou_a, "mou_b": mou_b, "event": event}


def digest_of(user) -> OutboxMessage:
    return OutboxMessage.objects.get(kind="digest", recipient=user)


@pytest.mark.django_db
def test_staff_see_everything_partners_only_their_organisations_records(world, officer, partner_a, partner_b):
    result = digests_send_due(now=timezone.now(), force=True, users=digest.recipients_queryset().filter(
        pk__in=[officer.pk, partner_a.pk, partner_b.pk]))

    assert result.due == 3 and result.written == 3 and result.empty == 0
    staff_text = digest_of(officer).body_text
    for text in ("KITB/A/1", "KITB/B/1", "Joint seminar on batteries", "Province investment tour", "Battery forum",
                 "0 of 40 places taken (0 %)", "Screening pipeline", "Phase X", "450.00 ha free of 450.00 ha", "/admin/"):
        assert text in staff_text, text
    a_text = digest_of(partner_a).body_text
    assert "KITB/A/1" in a_text and "Joint seminar on batteries" in a_text and "Cheongju Cells" in a_text
    assert "Battery forum" in a_text and "Events open for registration" in a_text and "/portal/" in a_text
    for secret in ("KITB/B/1", "Province investment tour", "Province Motors", "Phase X", "places taken", "/admin/"):
        assert secret not in a_text, secret
    b_text = digest_of(partner_b).body_text
    assert "KITB/B/1" in b_text and "Province Motors" in b_text and "KITB/A/1" not in b_text and "Cheongju Cells" not in b_text


@pytest.mark.django_db
def test_digest_is_rendered_in_the_readers_language_with_both_parts_and_its_key(world, partner_a):
    NotificationPreference.objects.create(user=partner_a, email_language="ko")
    now = timezone.now()

    digests_send_due(now=now, force=True, users=digest.recipients_queryset().filter(pk=partner_a.pk))

    message = digest_of(partner_a)
    year, week, _ = timezone.localtime(now, dt.timezone(dt.timedelta(hours=7))).isocalendar()
    assert message.key == f"digest:weekly:{partner_a.pk}:{year}-W{week:02d}"
    assert message.language == "ko" and 'lang="ko"' in message.body_html
    assert "업무협약 A" in message.body_text and "업무협약 A" in message.body_html  # the MoU's Korean title
    assert "월" in message.body_text  # dates written the Korean way
    assert '<a href="http://' in message.body_html and "/portal/mous/" in message.body_html
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/portal/preferences/" in message.body_text


@pytest.mark.django_db
def test_people_who_share_a_letter_each_get_their_own_name_date_and_links(world, technopark, partner_a):
    """The letter around the sections is rendered once for everyone with the same sections and
    language; the name and the window's start are each person's, escaped in the HTML part."""
    partner_a.full_name, partner_a.time_zone = "Kim <Ji-woo> & Co", "Asia/Seoul"
    partner_a.save()
    other = UserFactory(organization=technopark, full_name="Budi Santoso", time_zone="Asia/Jakarta",
                        preferred_language=partner_a.preferred_language)
    now = dt.datetime(2026, 12, 1, 3, 0, tzinfo=UTC)

    digests_send_due(now=now, force=True, users=digest.recipients_queryset().filter(pk__in=[partner_a.pk, other.pk]))

    mine, theirs = digest_of(partner_a), digest_of(other)
    assert "Hello Kim <Ji-woo> & Co," in mine.body_text and "Hello Kim &lt;Ji-woo&gt; &amp; Co," in mine.body_html
    assert "Hello Budi Santoso," in theirs.body_text and "Kim" not in theirs.body_text + theirs.body_html
    assert "[[digest:" not in mine.body_text + mine.body_html + theirs.body_text + theirs.body_html
    # a week back from 03:00 UTC: 12:00 in Seoul, 10:00 in Jakarta
    assert "Nov. 24, 2026, noon" in mine.body_text and "Nov. 24, 2026, 10 a.m." in theirs.body_text
    assert mine.secret_refs["unsubscribe_url"]["params"]["user"] == partner_a.pk
    assert theirs.secret_refs["unsubscribe_url"]["params"]["user"] == other.pk
    assert mine.body_text.replace("Kim <Ji-woo> & Co", "X").split("since")[1].split("\n", 1)[1] == \
        theirs.body_text.replace("Budi Santoso", "X").split("since")[1].split("\n", 1)[1]


@pytest.mark.django_db
def test_a_digest_with_nothing_new_is_not_sent(world, partner_a, django_capture_on_commit_callbacks):
    from django.core import mail

    users = digest.recipients_queryset().filter(pk=partner_a.pk)
    with django_capture_on_commit_callbacks(execute=True):
        first = digests_send_due(now=timezone.now(), force=True, users=users)
    assert first.written == 1 and len(mail.outbox) == 1

    # a week later, nothing happened in between: recorded as empty, no e-mail
    later = timezone.now() + dt.timedelta(days=7)
    Commitment.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        second = digests_send_due(now=later, force=True, users=users)
    assert second.written == 0 and second.empty == 1 and len(mail.outbox) == 1
    run = DigestRun.objects.get(user=partner_a, status="empty")
    assert run.new_items == 0 and run.since == DigestRun.objects.get(user=partner_a, status="sent").until


@pytest.mark.django_db
def test_the_digest_task_builds_and_delivers(world, partner_a, django_capture_on_commit_callbacks, monkeypatch):
    from django.core import mail

    from kitb_portal.notifications.tasks import digests_send_due as task

    # 07:00 in Jakarta today is now, for everyone
    monkeypatch.setattr(digest, "is_due", lambda frequency, local: frequency != "off")
    with django_capture_on_commit_callbacks(execute=True):
        answer = task.delay().get()
    assert answer["written"] >= 1
    assert [m.to[0] for m in mail.outbox if m.to[0] == partner_a.email] == [partner_a.email]
    assert digest_of(partner_a).status == "sent"


@pytest.mark.slow  # builds the data twice: the query count at two sizes
@pytest.mark.django_db
def test_digest_queries_do_not_grow_with_the_recipients(world, kitb, technopark, province):
    def make(n):
        people = []
        for i in range(n):
            if i % 3 == 0:
                people.append(staff_in(roles.EVENTS_OFFICER if i % 2 else roles.PARTNERSHIPS_OFFICER, organization=kitb))
            else:
                people.append(UserFactory(organization=technopark if i % 2 else province,
                                          preferred_language=["id", "ko", "en"][i % 3],
                                          time_zone="Asia/Seoul" if i % 4 else "Asia/Jakarta"))
        return digest.recipients_queryset().filter(pk__in=[p.pk for p in people])

    def build(users):
        return digests_send_due(now=timezone.now(), force=True, users=users)

    small = count_queries(build, make(10))
    large = count_queries(build, make(60))
    assert (small[2].due, small[2].written, large[2].due, large[2].written) == (10, 10, 60, 60)
    assert_flat_queries(small, large, limit=30)


@pytest.mark.django_db
def test_bench_command_prints_its_figures_as_the_last_line(world):
    out = StringIO()
    before = OutboxMessage.objects.count()

    call_command("bench_digests", "--recipients", "30", stdout=out)

    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert figures["recipients"] == 30 and figures["queries"] > 0 and figures["seconds"] > 0
    assert OutboxMessage.objects.count() == before  # rolled back


def test_a_date_is_written_in_its_own_time_zone_even_when_the_same_moment_came_first_in_another():
    import zoneinfo

    from django.utils import translation

    moment = dt.datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    jakarta = moment.astimezone(zoneinfo.ZoneInfo("Asia/Jakarta"))  # 09:00
    seoul = moment.astimezone(zoneinfo.ZoneInfo("Asia/Seoul"))  # 11:00
    with translation.override("en"):
        assert str(digest.lazy_date(jakarta, "TIME_FORMAT")) == "9 a.m."
        assert str(digest.lazy_date(seoul, "TIME_FORMAT")) == "11 a.m."
