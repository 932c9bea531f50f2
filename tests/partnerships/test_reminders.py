"""The daily sweep: expiry 90/30/7 days before, commitments 14 days before, on the due date, then weekly."""
import datetime as dt

import pytest
from django_celery_beat.models import PeriodicTask

from kitb_portal.notifications.models import OutboxMessage
from partnerships import services, tasks
from partnerships.models import MoUStatus, MoUTerm
from partnerships.reminders import commitment_stage, expiry_stage
from tests.factories import OrganizationFactory, UserFactory
from tests.utils import assert_flat_queries, count_queries

from .factories import CommitmentFactory, mou_with_parties

EXPIRY = dt.date(2027, 6, 30)
DUE = dt.date(2026, 8, 31)


@pytest.fixture
def people(technopark, province, kitb):
    return {
        "ko": UserFactory(organization=technopark, email="kim@technopark.example", full_name="Kim Min-jun", preferred_language="ko"),
        "id": UserFactory(organization=province, email="lee@province.example", full_name="Lee Seo-yeon", preferred_language="id"),
        "inactive": UserFactory(organization=technopark, email="old@technopark.example", is_active=False),
        "kitb_staff": UserFactory(staff=True, organization=kitb, email="other-staff@kitb.example"),
    }


@pytest.fixture
def live_mou(kitb, technopark, province, officer, people):
    return mou_with_parties(
        kitb, technopark, province, owner=officer, status=MoUStatus.ACTIVE, signed_date=dt.date(2024, 6, 1),
        effective_date=dt.date(2024, 7, 1), expiry_date=EXPIRY, title_en="Cooperation MoU", title_ko="협력 업무협약",
        title_id="Nota Kesepahaman Kerja Sama",
    )


def sweep(day):
    return services.reminders_sweep(today=day)


def keys(kind):
    return sorted(OutboxMessage.objects.filter(kind=kind).values_list("key", flat=True))


def test_stage_rules():
    assert [expiry_stage(d) for d in (91, 90, 31, 30, 8, 7, 0, -1)] == [None, 90, 90, 30, 30, 7, 7, None]
    stages = [commitment_stage(DUE - dt.timedelta(days=d), DUE) for d in (15, 14, 1, 0, -6, -7, -13, -14)]
    assert stages == [None, "before-14", "before-14", "due", "due", "overdue-1", "overdue-1", "overdue-2"]


@pytest.mark.django_db
def test_expiry_reminders_on_90_30_7_days_once_each(live_mou, officer, people):
    recipients = {officer.pk, people["ko"].pk, people["id"].pk}  # owner + partner contacts; not inactive, not other staff
    assert sweep(EXPIRY - dt.timedelta(days=91))["expiry_reminders"] == 0
    assert sweep(EXPIRY - dt.timedelta(days=90))["expiry_reminders"] == 3
    assert set(OutboxMessage.objects.values_list("recipient_id", flat=True)) == recipients
    for day in range(89, 30, -1):  # nothing new until 30 days before
        assert sweep(EXPIRY - dt.timedelta(days=day))["expiry_reminders"] == 0
    assert sweep(EXPIRY - dt.timedelta(days=30))["expiry_reminders"] == 3
    assert sweep(EXPIRY - dt.timedelta(days=30))["expiry_reminders"] == 0  # twice the same day: nothing twice
    assert sweep(EXPIRY - dt.timedelta(days=8))["expiry_reminders"] == 0
    assert sweep(EXPIRY - dt.timedelta(days=7))["expiry_reminders"] == 3
    assert sweep(EXPIRY - dt.timedelta(days=1))["expiry_reminders"] == 0
    assert OutboxMessage.objects.filter(kind="mou_expiry").count() == 9
    assert f"mou-expiry:{live_mou.pk}:{EXPIRY.isoformat()}:30:{officer.pk}" in keys("mou_expiry")


@pytest.mark.django_db
def test_expiry_reminder_in_each_recipients_language_with_a_link(live_mou, officer, people, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        sweep(EXPIRY - dt.timedelta(days=30))
    by_email = {m.to[0]: m for m in mailoutbox}
    assert set(by_email) == {officer.email, people["ko"].email, people["id"].email}
    korean = by_email[people["ko"].email]
    assert "협력 업무협약" in korean.body and "Cooperation MoU" not in korean.body
    assert f"/portal/mous/{live_mou.pk}/" in korean.body
    indonesian = by_email[people["id"].email]
    assert "Nota Kesepahaman Kerja Sama" in indonesian.body
    owner_mail = by_email[officer.email]  # the owner (staff, Indonesian) gets the admin link
    assert f"/admin/partnerships/mou/{live_mou.pk}/change/" in owner_mail.body
    assert "Nota Kesepahaman Kerja Sama" in owner_mail.body
    assert "30 days" in korean.subject or "30" in korean.subject
    languages = dict(OutboxMessage.objects.values_list("to_email", "language"))
    assert languages == {officer.email: "id", people["ko"].email: "ko", people["id"].email: "id"}


@pytest.mark.django_db
def test_commitment_reminders_14_days_before_on_due_date_then_weekly(live_mou, technopark, officer, people):
    responsible = UserFactory(staff=True, organization=live_mou.parties.first().organization, email="desk@kitb.example")
    commitment = CommitmentFactory(mou=live_mou, responsible_organization=technopark, responsible_user=responsible, due_date=DUE)
    expected_people = {officer.pk, responsible.pk, people["ko"].pk}  # owner, responsible user, technopark contacts

    def run(offset):
        return sweep(DUE + dt.timedelta(days=offset))["commitment_reminders"]

    assert run(-15) == 0
    assert run(-14) == 3
    assert set(OutboxMessage.objects.filter(kind="commitment_due").values_list("recipient_id", flat=True)) == expected_people
    assert [run(d) for d in range(-13, 0)] == [0] * 13
    assert run(0) == 3  # on the due date
    assert run(0) == 0  # twice the same day
    assert [run(d) for d in range(1, 7)] == [0] * 6
    assert run(7) == 3  # a week overdue
    assert [run(d) for d in range(8, 14)] == [0] * 6
    assert run(14) == 3  # two weeks overdue
    assert run(14) == 0
    stages = sorted({k.split(":")[3] for k in keys("commitment_due")})
    assert stages == ["before-14", "due", "overdue-1", "overdue-2"]
    services.commitment_complete(actor=officer, commitment_id=commitment.pk, note="Done at the 2026 workshop.")
    assert run(21) == 0  # closed: no more reminders


@pytest.mark.django_db
def test_commitment_reminder_text_in_korean_mentions_the_overdue_days(live_mou, technopark, people, django_capture_on_commit_callbacks, mailoutbox):
    CommitmentFactory(mou=live_mou, responsible_organization=technopark, due_date=DUE, description="Joint seminar")
    with django_capture_on_commit_callbacks(execute=True):
        sweep(DUE + dt.timedelta(days=7))
    mail = next(m for m in mailoutbox if m.to == [people["ko"].email])
    assert "협력 업무협약" in mail.body and "Joint seminar" in mail.body and "7일 경과" in mail.body  # "overdue by 7 days", in Korean
    assert OutboxMessage.objects.get(to_email=people["ko"].email).language == "ko"


@pytest.mark.django_db
def test_commitments_of_draft_mous_are_not_reminded(kitb, technopark, officer, people):
    draft = mou_with_parties(kitb, technopark, owner=officer)
    CommitmentFactory(mou=draft, responsible_organization=technopark, due_date=DUE)
    assert sweep(DUE)["commitment_reminders"] == 0


@pytest.mark.django_db
def test_renewed_term_gets_its_own_reminders(live_mou, officer):
    assert sweep(EXPIRY - dt.timedelta(days=7))["expiry_reminders"] == 3
    services.mou_renew(mou_id=live_mou.pk, actor=officer, new_expiry_date=dt.date(2030, 6, 30))
    assert sweep(dt.date(2030, 6, 23))["expiry_reminders"] == 3


@pytest.mark.django_db
def test_sweep_closes_past_terms_expiring_or_renewing(kitb, technopark, officer):
    plain = mou_with_parties(kitb, technopark, owner=officer, active=True)
    renewing = mou_with_parties(kitb, technopark, owner=officer, active=True, auto_renew=True)
    result = sweep(plain.expiry_date + dt.timedelta(days=1))
    assert (result["expired"], result["renewed"]) == (1, 1)
    plain.refresh_from_db()
    renewing.refresh_from_db()
    assert plain.status == MoUStatus.EXPIRED
    assert renewing.status == MoUStatus.ACTIVE and renewing.term_number == 2
    assert renewing.effective_date == dt.date(2028, 1, 10) and renewing.expiry_date > renewing.effective_date
    assert MoUTerm.objects.filter(mou=renewing, term_number=1, expiry_date=dt.date(2028, 1, 9)).exists()


def _many(n, kitb, owner, partner_org):
    for _i in range(n):
        mou = mou_with_parties(kitb, partner_org, owner=owner, status=MoUStatus.ACTIVE, signed_date=dt.date(2024, 1, 1),
                               effective_date=dt.date(2024, 1, 1), expiry_date=EXPIRY)
        CommitmentFactory(mou=mou, responsible_organization=partner_org, due_date=EXPIRY - dt.timedelta(days=30))


@pytest.mark.slow  # builds the data twice: the query count at two sizes
@pytest.mark.django_db
def test_second_sweep_query_count_does_not_grow_with_the_data(kitb, officer):
    org_small, org_large = OrganizationFactory(name="Small Co"), OrganizationFactory(name="Large Co")
    UserFactory(organization=org_small, email="c@small.example")
    UserFactory(organization=org_large, email="c@large.example")
    day = EXPIRY - dt.timedelta(days=30)
    _many(3, kitb, officer, org_small)
    sweep(day)
    small = count_queries(sweep, day)  # all already sent: only the selects and the key look-up
    _many(40, kitb, officer, org_large)
    sweep(day)
    large = count_queries(sweep, day)
    assert small[2]["expiry_reminders"] == large[2]["expiry_reminders"] == 0
    assert_flat_queries(small, large, limit=10)


@pytest.mark.django_db
def test_task_calls_the_service_and_the_daily_periodic_task_exists(live_mou):
    tasks.reminders_sweep.delay((EXPIRY - dt.timedelta(days=90)).isoformat())
    assert OutboxMessage.objects.filter(kind="mou_expiry").count() == 3
    task = PeriodicTask.objects.get(task="partnerships.tasks.reminders_sweep")
    assert task.enabled and task.crontab.hour == "6" and str(task.crontab.timezone) == "Asia/Jakarta"
