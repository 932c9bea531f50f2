"""The committee meets: the decision comes only from a closed meeting with its quorum present, whose
recorded votes carry it; votes of absent, foreign or conflicted members are refused; the minutes are
frozen with their SHA-256; reviews have due dates with weekly reminders."""
import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kitb_portal.notifications.models import OutboxMessage
from tenants import services
from tenants.models import AgendaItem, Application, CommitteeMeeting, ReviewAssignment

from .conftest import complete_review
from .factories import ApplicationFactory

S = Application.Status


@pytest.fixture
def at_committee(db, technopark, sector, kitb_admin, reviewer1, reviewer2, criteria):
    """Three applications before the committee, each with the review quorum (2) met; reviewer1
    declared a conflict of interest on the first one (reviewer2 and the administrator reviewed it)."""
    apps = [ApplicationFactory(referrer=technopark, sector=sector, status=S.COMMITTEE, company_name=name)
            for name in ("Xeno Cells", "Yonsei Motors", "Zeta Foods")]
    for app in apps:
        complete_review(app, reviewer2, {c: 4 for c in criteria}, assigner=kitb_admin)
        if app is apps[0]:
            complete_review(app, reviewer1, {c: 4 for c in criteria}, conflict=True, assigner=kitb_admin)
            complete_review(app, kitb_admin, {c: 4 for c in criteria}, assigner=kitb_admin)
        else:
            complete_review(app, reviewer1, {c: 4 for c in criteria}, assigner=kitb_admin)
    return apps


def _meeting(chair, members, apps, quorum):
    meeting = services.meeting_schedule(actor=chair, title="March committee", held_at=timezone.now(), chair=chair,
                                        members=members, quorum=quorum)
    for app in apps:
        services.meeting_agenda_add(meeting_id=meeting.pk, application_id=app.pk, actor=chair)
    return meeting


@pytest.mark.django_db
def test_no_decision_without_a_closed_quorate_meeting_and_bad_votes_refused(at_committee, kitb_admin, reviewer1, reviewer2, reviewer3):
    conflicted_app = at_committee[0]
    with pytest.raises(ValidationError) as exc:
        services.application_approve(application_id=conflicted_app.pk, actor=kitb_admin)
    assert "closed committee meeting" in exc.value.messages[0]

    meeting = _meeting(kitb_admin, [reviewer1, reviewer2], [conflicted_app], quorum=3)
    services.meeting_attendance_set(meeting_id=meeting.pk, present_user_ids=[kitb_admin.pk, reviewer1.pk], actor=kitb_admin)
    vote = dict(meeting_id=meeting.pk, application_id=conflicted_app.pk, actor=kitb_admin)
    with pytest.raises(ValidationError) as exc:  # not in the meeting
        services.meeting_vote(voter=reviewer3, choice="approve", **vote)
    assert exc.value.code == "not_member" and "not a member of this meeting" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:  # a member, but absent
        services.meeting_vote(voter=reviewer2, choice="approve", **vote)
    assert exc.value.code == "absent"
    with pytest.raises(ValidationError) as exc:  # declared a conflict in the review
        services.meeting_vote(voter=reviewer1, choice="approve", **vote)
    assert exc.value.code == "conflicted" and "conflict of interest" in exc.value.messages[0]
    services.meeting_vote(voter=reviewer1, choice="conflicted", **vote)
    services.meeting_vote(voter=kitb_admin, choice="approve", **vote)
    with pytest.raises(PermissionDenied):  # a member records only their own vote
        services.meeting_vote(meeting_id=meeting.pk, application_id=conflicted_app.pk, voter=kitb_admin, choice="reject", actor=reviewer1)
    services.meeting_minutes_write(meeting_id=meeting.pk, minutes="Discussed.", actor=kitb_admin)

    with pytest.raises(ValidationError) as exc:  # 2 present, quorum 3
        services.meeting_close(meeting_id=meeting.pk, actor=kitb_admin)
    assert exc.value.code == "quorum" and "2 members are present and the quorum is 3" in exc.value.messages[0]
    with pytest.raises(ValidationError):  # the meeting is still open: no decision yet
        services.application_approve(application_id=conflicted_app.pk, actor=kitb_admin)
    with pytest.raises(PermissionDenied):  # only the chair closes
        services.meeting_close(meeting_id=meeting.pk, actor=reviewer2)
    assert CommitteeMeeting.objects.get(pk=meeting.pk).status == "scheduled"
    assert Application.objects.get(pk=conflicted_app.pk).status == S.COMMITTEE


@pytest.mark.django_db
def test_votes_are_counted_as_recorded_and_the_minutes_frozen(at_committee, kitb_admin, reviewer1, reviewer2, reviewer3):
    _x, yonsei, zeta = at_committee
    split = ApplicationFactory(referrer=yonsei.referrer, sector=yonsei.sector, status=S.COMMITTEE, company_name="Split Vote Ltd")
    for r in (reviewer1, reviewer2):
        from tenants.models import ScreeningCriterion

        complete_review(split, r, {c: 3 for c in ScreeningCriterion.objects.all()}, assigner=kitb_admin)
    members = [kitb_admin, reviewer1, reviewer2, reviewer3]
    meeting = _meeting(kitb_admin, members[1:], [yonsei, zeta, split], quorum=2)
    services.meeting_attendance_set(meeting_id=meeting.pk, present_user_ids=[u.pk for u in members], actor=kitb_admin)
    ballots = {
        yonsei: ["approve", "approve", "approve", "conflicted"],  # 3 of 3 eligible: approved
        zeta: ["reject", "reject", "reject", "abstain"],  # 3 of 4: rejected
        split: ["approve", "approve", "reject", "abstain"],  # 2 of 4 is no majority: no decision
    }
    for app, choices in ballots.items():
        for voter, choice in zip(members, choices, strict=True):
            services.meeting_vote(meeting_id=meeting.pk, application_id=app.pk, voter=voter, choice=choice, actor=kitb_admin)
    # a member changes their own vote before the close: the recorded one counts
    services.meeting_vote(meeting_id=meeting.pk, application_id=split.pk, voter=reviewer2, choice="abstain", actor=reviewer2)
    with pytest.raises(ValidationError) as exc:
        services.meeting_close(meeting_id=meeting.pk, actor=kitb_admin)
    assert exc.value.code == "minutes"
    services.meeting_minutes_write(meeting_id=meeting.pk, minutes="Yonsei approved; Zeta rejected; Split to a later meeting.", actor=kitb_admin)
    meeting = services.meeting_close(meeting_id=meeting.pk, actor=kitb_admin)

    counted = {i.application_id: (i.outcome, i.votes_approve, i.votes_reject, i.votes_abstain, i.votes_conflicted)
               for i in AgendaItem.objects.filter(meeting=meeting)}
    assert counted == {
        yonsei.pk: ("approve", 3, 0, 0, 1),
        zeta.pk: ("reject", 0, 3, 1, 0),
        split.pk: ("no_decision", 2, 0, 2, 0),
    }
    with meeting.minutes_file.open("rb") as handle:
        content = handle.read()
    assert meeting.minutes_format == "pdf" and content.startswith(b"%PDF-")  # WeasyPrint is in the venv
    assert hashlib.sha256(content).hexdigest() == meeting.minutes_sha256
    with pytest.raises(ValidationError) as exc:  # frozen
        services.meeting_vote(meeting_id=meeting.pk, application_id=split.pk, voter=reviewer1, choice="approve", actor=kitb_admin)
    assert exc.value.code == "closed"

    with pytest.raises(ValidationError) as exc:
        services.application_reject(application_id=yonsei.pk, actor=kitb_admin, reason="No")
    assert "did not vote to reject" in exc.value.messages[0]
    services.application_approve(application_id=yonsei.pk, actor=kitb_admin)
    with pytest.raises(ValidationError):
        services.application_approve(application_id=zeta.pk, actor=kitb_admin)
    services.application_reject(application_id=zeta.pk, actor=kitb_admin, reason="The committee voted against.")
    for decide in (lambda: services.application_approve(application_id=split.pk, actor=kitb_admin),
                   lambda: services.application_reject(application_id=split.pk, actor=kitb_admin, reason="No")):
        with pytest.raises(ValidationError) as exc:
            decide()
        assert "2 approve, 0 reject, 2 abstain, 0 conflicted" in exc.value.messages[0]
    assert dict(Application.objects.filter(pk__in=[yonsei.pk, zeta.pk, split.pk]).values_list("company_name", "status")) == {
        "Yonsei Motors": "approved", "Zeta Foods": "rejected", "Split Vote Ltd": "committee",
    }


@pytest.mark.django_db
def test_agenda_takes_only_applications_before_the_committee(kitb_admin, reviewer1, technopark, sector):
    screening = ApplicationFactory(referrer=technopark, sector=sector, status=S.SCREENING)
    meeting = services.meeting_schedule(actor=kitb_admin, title="April", held_at=timezone.now(), chair=kitb_admin, members=[reviewer1])
    with pytest.raises(ValidationError) as exc:
        services.meeting_agenda_add(meeting_id=meeting.pk, application_id=screening.pk, actor=kitb_admin)
    assert "Only applications sent to the committee" in exc.value.messages[0]
    with pytest.raises(PermissionDenied):
        services.meeting_schedule(actor=reviewer1, title="Mine", held_at=timezone.now(), chair=reviewer1, members=[])


@pytest.mark.django_db
def test_admin_records_attendance_and_votes_and_the_chair_closes(client, at_committee, kitb_admin, reviewer1, reviewer2):
    yonsei = at_committee[1]
    meeting = _meeting(kitb_admin, [reviewer1, reviewer2], [yonsei], quorum=3)
    services.meeting_minutes_write(meeting_id=meeting.pk, minutes="Approved unanimously.", actor=kitb_admin)
    client.force_login(kitb_admin)
    members = {m.user_id: m for m in meeting.members.all()}
    item = meeting.agenda.get()
    data = {f"present_{m.pk}": "1" for m in members.values()}
    data.update({f"vote_{item.pk}_{m.pk}": "approve" for m in members.values()})
    response = client.post(f"/admin/tenants/committeemeeting/{meeting.pk}/votes/", data)
    assert response.status_code == 302
    page = client.get(f"/admin/tenants/committeemeeting/{meeting.pk}/change/").content.decode()
    assert "Close the meeting and freeze the minutes" in page
    client.post(f"/admin/tenants/committeemeeting/{meeting.pk}/close/")
    meeting.refresh_from_db()
    assert meeting.status == "closed" and AgendaItem.objects.get(pk=item.pk).outcome == "approve"
    download = client.get(f"/admin/tenants/committeemeeting/{meeting.pk}/minutes/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")
    client.force_login(reviewer1)  # a committee member reads the closed meeting, cannot change it
    assert client.get(f"/admin/tenants/committeemeeting/{meeting.pk}/change/").status_code == 200
    assert client.post(f"/admin/tenants/committeemeeting/{meeting.pk}/votes/", data).status_code == 403


@pytest.mark.django_db
def test_reviews_have_due_dates_and_overdue_reviewers_are_reminded_once_a_week(settings, draft_a, partner_a, kitb_admin, reviewer1, reviewer2, criteria):
    settings.TENANTS_REVIEW_DUE_DAYS = 10
    services.application_submit(application_id=draft_a.pk, actor=partner_a)
    services.review_assign(application_id=draft_a.pk, reviewer=reviewer1, actor=kitb_admin)
    complete_review(draft_a, reviewer2, {c: 4 for c in criteria}, assigner=kitb_admin)  # done: never reminded
    assignment = ReviewAssignment.objects.get(application=draft_a, reviewer=reviewer1)
    assert assignment.due_on == timezone.localdate() + timedelta(days=10)
    now = timezone.now()
    assert services.review_due_sweep(now=now + timedelta(days=10)) == 0  # due today: not late yet
    assert services.review_due_sweep(now=now + timedelta(days=11)) == 1
    assert services.review_due_sweep(now=now + timedelta(days=15)) == 0  # the same week
    assert services.review_due_sweep(now=now + timedelta(days=18)) == 1  # a week later
    rows = OutboxMessage.objects.filter(key__startswith="review-due:")
    assert {r.to_email for r in rows} == {reviewer1.email} and rows.count() == 2
