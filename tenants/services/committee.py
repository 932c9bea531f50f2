"""The screening committee meets: members and attendance, an agenda of applications, each member's
vote, and minutes frozen (PDF with WeasyPrint when it is installed, else HTML text; SHA-256 kept)
when the chair closes the meeting. ``applications.application_approve`` / ``application_reject``
then require the decision of a closed meeting (:func:`committee_decision_check`).

How the votes carry a decision, per agenda item, when the meeting closes:
- the meeting closes only with its quorum of members present (its own, or TENANTS_COMMITTEE_QUORUM);
- the members who may vote on an item are those present who did not declare a conflict on it;
- approved (rejected) when more than half of them voted approve (reject), and they are at least the
  quorum themselves; otherwise no decision (the application goes on a later meeting's agenda).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kitb_portal.common.pdf import html_to_pdf
from kitb_portal.notifications.models import OutboxMessage
from kitb_portal.notifications.services import notify

from ..models import (
    IN_REVIEW_STATUSES,
    AgendaItem,
    AgendaOutcome,
    Application,
    ApplicationStatus,
    CommitteeMeeting,
    MeetingMember,
    MeetingVote,
    Review,
    ReviewAssignment,
    VoteChoice,
)
from ..permissions import can_be_reviewer, can_manage_meetings, can_record_meeting
from .common import existing_application, locked


def _name(user) -> str:
    return user.full_name or user.email


def _locked_meeting(meeting_id: int) -> CommitteeMeeting:
    return locked(CommitteeMeeting.objects.all(), meeting_id, _("This committee meeting does not exist."))


def _open(meeting: CommitteeMeeting) -> None:
    if not meeting.is_open:
        raise ValidationError(_("The meeting is %(status)s; it can no longer be changed.") % {"status": meeting.get_status_display().lower()},
                              code="closed")


@transaction.atomic
def meeting_schedule(*, actor, title: str, held_at, chair, members, quorum: int | None = None, location: str = "") -> CommitteeMeeting:
    """Schedule a meeting with its chair and members (the chair is a member too)."""
    if not can_manage_meetings(actor):
        raise PermissionDenied(_("You may not schedule committee meetings."))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the meeting a title.")})
    if quorum is not None and quorum < 1:
        raise ValidationError({"quorum": _("The quorum is at least 1 member.")})
    people = {user.pk: user for user in [chair, *members]}
    for user in people.values():
        if not can_be_reviewer(user):
            raise ValidationError(_("%(name)s is not a member of the screening committee.") % {"name": _name(user)})
    meeting = CommitteeMeeting.objects.create(title=title[:200], held_at=held_at, chair=chair, quorum=quorum, location=location.strip()[:200])
    MeetingMember.objects.bulk_create([MeetingMember(meeting=meeting, user=user) for user in people.values()])
    return meeting


@transaction.atomic
def meeting_agenda_add(*, meeting_id: int, application_id: int, actor) -> AgendaItem:
    """Put an application sent to the committee on an open meeting's agenda."""
    meeting = _locked_meeting(meeting_id)
    if not can_manage_meetings(actor):
        raise PermissionDenied(_("You may not change the agenda."))
    _open(meeting)
    application = existing_application(application_id)
    check_agenda_application(application)
    if meeting.agenda.filter(application=application).exists():
        raise ValidationError(_("%(company)s is already on this meeting's agenda.") % {"company": application.company_name})
    position = (meeting.agenda.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    return AgendaItem.objects.create(meeting=meeting, application=application, position=position)


def check_agenda_application(application: Application) -> None:
    if application.status != ApplicationStatus.COMMITTEE:
        raise ValidationError(
            _("Only applications sent to the committee go on the agenda; %(company)s is %(status)s.")
            % {"company": application.company_name, "status": application.get_status_display().lower()},
            code="status",
        )


@transaction.atomic
def meeting_attendance_set(*, meeting_id: int, present_user_ids, actor) -> CommitteeMeeting:
    """Record who is present (every member not listed is absent)."""
    meeting = _locked_meeting(meeting_id)
    if not can_record_meeting(actor, meeting):
        raise PermissionDenied(_("Only the chair or a KITB administrator records the attendance."))
    _open(meeting)
    present = {int(pk) for pk in present_user_ids}
    members = set(meeting.members.values_list("user_id", flat=True))
    strangers = present - members
    if strangers:
        raise ValidationError(_("Only the meeting's members can be present; add them to the meeting first."))
    absent_voters = MeetingVote.objects.filter(item__meeting=meeting).exclude(member__user_id__in=present)
    if absent_voters.exists():
        raise ValidationError(_("A member who has voted cannot be marked absent; their vote would no longer count."))
    meeting.members.update(present=False)
    meeting.members.filter(user_id__in=present).update(present=True)
    return meeting


@transaction.atomic
def meeting_vote(*, meeting_id: int, application_id: int, voter, choice: str, actor) -> MeetingVote:
    """Record ``voter``'s vote on an agenda item: by the voter, the chair or a KITB administrator.

    Refused for someone who is not a member present at the meeting, and for a member who declared a
    conflict of interest on the application (in their review, or as their vote)."""
    meeting = _locked_meeting(meeting_id)
    if actor.pk != voter.pk and not can_record_meeting(actor, meeting):
        raise PermissionDenied(_("Only the chair or a KITB administrator records another member's vote."))
    _open(meeting)
    if choice not in VoteChoice.values:
        raise ValidationError(_("Choose approve, reject, abstain or conflict of interest."), code="choice")
    item = meeting.agenda.select_related("application").filter(application_id=application_id).first()
    if item is None:
        raise ValidationError(_("This application is not on the meeting's agenda."), code="agenda")
    member = meeting.members.filter(user_id=voter.pk).first()
    if member is None:
        raise ValidationError(_("%(name)s is not a member of this meeting and cannot vote.") % {"name": _name(voter)}, code="not_member")
    if not member.present:
        raise ValidationError(_("%(name)s is not present at this meeting and cannot vote.") % {"name": _name(voter)}, code="absent")
    if item.application.status != ApplicationStatus.COMMITTEE:
        raise ValidationError(_("%(company)s is no longer before the committee.") % {"company": item.application.company_name})
    current = MeetingVote.objects.filter(item=item, member=member).first()
    if choice != VoteChoice.CONFLICTED:
        declared = Review.objects.filter(assignment__application_id=application_id, assignment__reviewer_id=voter.pk, conflict_of_interest=True).exists()
        if declared or (current is not None and current.choice == VoteChoice.CONFLICTED):
            raise ValidationError(
                _("%(name)s declared a conflict of interest on %(company)s and cannot vote on it.")
                % {"name": _name(voter), "company": item.application.company_name},
                code="conflicted",
            )
    if current is None:
        return MeetingVote.objects.create(item=item, member=member, choice=choice, recorded_by=actor)
    current.choice = choice
    current.recorded_by = actor
    current.save(update_fields=["choice", "recorded_by", "updated_at"])
    return current


def count_votes(item: AgendaItem, *, present: int, quorum: int, votes: list[str]) -> dict:
    """The outcome of one agenda item from its recorded votes (see the module's docstring)."""
    counts = {choice: votes.count(choice) for choice in VoteChoice.values}
    eligible = present - counts[VoteChoice.CONFLICTED]
    outcome = AgendaOutcome.NO_DECISION
    if eligible >= quorum and eligible > 0:
        if counts[VoteChoice.APPROVE] * 2 > eligible:
            outcome = AgendaOutcome.APPROVE
        elif counts[VoteChoice.REJECT] * 2 > eligible:
            outcome = AgendaOutcome.REJECT
    return {"outcome": outcome, "votes_approve": counts[VoteChoice.APPROVE], "votes_reject": counts[VoteChoice.REJECT],
            "votes_abstain": counts[VoteChoice.ABSTAIN], "votes_conflicted": counts[VoteChoice.CONFLICTED]}


def render_minutes(meeting: CommitteeMeeting) -> tuple[bytes, str]:
    """The frozen minutes: (content, "pdf") drawn by WeasyPrint when it is installed, else (HTML, "html")."""
    members = list(meeting.members.select_related("user").order_by("user__full_name", "pk"))
    items = list(meeting.agenda.select_related("application").prefetch_related("votes__member__user").order_by("position", "pk"))
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("tenants/committee/minutes.html", {
            "meeting": meeting, "members": members, "items": items,
            "present": [m for m in members if m.present], "absent": [m for m in members if not m.present],
        })
    try:
        return html_to_pdf(html), "pdf"
    except ImportError:  # pragma: no cover - the venv here has it; without it the HTML is the record
        return html.encode("utf-8"), "html"


@transaction.atomic
def meeting_close(*, meeting_id: int, actor) -> CommitteeMeeting:
    """The chair closes the meeting: the outcome of each agenda item is counted and frozen, and the
    minutes are frozen as a stored file with its SHA-256. Refused without the quorum present."""
    meeting = _locked_meeting(meeting_id)
    if actor.pk != meeting.chair_id:
        raise PermissionDenied(_("Only the chair closes the meeting."))
    _open(meeting)
    if not meeting.minutes.strip():
        raise ValidationError(_("Write the minutes before closing the meeting."), code="minutes")
    present = meeting.members.filter(present=True).count()
    quorum = meeting.effective_quorum
    if present < quorum:
        raise ValidationError(
            _("%(present)d members are present and the quorum is %(quorum)d: the meeting cannot close with a decision. "
              "Record the attendance, or cancel the meeting.") % {"present": present, "quorum": quorum},
            code="quorum",
        )
    items = list(meeting.agenda.order_by("position", "pk"))
    votes: dict[int, list[str]] = {item.pk: [] for item in items}
    for item_id, choice in MeetingVote.objects.filter(item__meeting=meeting).values_list("item_id", "choice"):
        votes[item_id].append(choice)
    for item in items:
        for field, value in count_votes(item, present=present, quorum=quorum, votes=votes[item.pk]).items():
            setattr(item, field, value)
        item.save(update_fields=["outcome", "votes_approve", "votes_reject", "votes_abstain", "votes_conflicted"])
    meeting.status = CommitteeMeeting.Status.CLOSED
    meeting.closed_at = timezone.now()
    meeting.closed_by = actor
    content, fmt = render_minutes(meeting)
    meeting.minutes_format = fmt
    meeting.minutes_sha256 = hashlib.sha256(content).hexdigest()
    meeting.minutes_file.save(f"minutes.{fmt}", ContentFile(content), save=False)
    try:
        meeting.save()
    except Exception:
        meeting.minutes_file.delete(save=False)
        raise
    return meeting


@transaction.atomic
def meeting_minutes_write(*, meeting_id: int, minutes: str, actor) -> CommitteeMeeting:
    """The chair (or a KITB administrator) writes the minutes while the meeting is open."""
    meeting = _locked_meeting(meeting_id)
    if not can_record_meeting(actor, meeting):
        raise PermissionDenied(_("Only the chair or a KITB administrator writes the minutes."))
    _open(meeting)
    meeting.minutes = (minutes or "").strip()
    meeting.save(update_fields=["minutes", "updated_at"])
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting_id: int, actor) -> CommitteeMeeting:
    meeting = _locked_meeting(meeting_id)
    if actor.pk != meeting.chair_id and not can_manage_meetings(actor):
        raise PermissionDenied(_("Only the chair or a KITB administrator cancels the meeting."))
    _open(meeting)
    meeting.status = CommitteeMeeting.Status.CANCELLED
    meeting.save(update_fields=["status", "updated_at"])
    return meeting


def committee_decision_check(application: Application, decision: str) -> AgendaItem:
    """The closed meeting whose votes carry ``decision`` ("approve" or "reject") for the application
    (the latest closed meeting that had it on its agenda); ValidationError saying what is missing."""
    item = (
        AgendaItem.objects.filter(application=application, meeting__status=CommitteeMeeting.Status.CLOSED)
        .select_related("meeting").order_by("-meeting__closed_at", "-pk").first()
    )
    if item is None:
        raise ValidationError(
            _("A decision needs a closed committee meeting that voted on this application: put it on a meeting's agenda."),
            code="no_meeting",
        )
    if item.outcome != decision:
        wanted = _("approve") if decision == AgendaOutcome.APPROVE else _("reject")
        raise ValidationError(
            _("The committee meeting “%(meeting)s” did not vote to %(decision)s this application "
              "(%(approve)d approve, %(reject)d reject, %(abstain)d abstain, %(conflicted)d conflicted).")
            % {"meeting": item.meeting.title, "decision": wanted, "approve": item.votes_approve, "reject": item.votes_reject,
               "abstain": item.votes_abstain, "conflicted": item.votes_conflicted},
            code="votes",
        )
    return item


# --- review due dates -----------------------------------------------------------------------------

def review_due_on(today=None):
    today = today or timezone.localdate()
    return today + timedelta(days=int(getattr(settings, "TENANTS_REVIEW_DUE_DAYS", 14)))


@transaction.atomic
def review_due_sweep(*, now=None) -> int:
    """Remind each reviewer whose review is past its due date and still pending, once per week
    after the due date (outbox key with the week number). Returns the number of e-mails queued."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    assignments = list(
        ReviewAssignment.objects.filter(due_on__lt=today, review__submitted_at__isnull=True,
                                        application__status__in=IN_REVIEW_STATUSES,
                                        reviewer__is_active=True)
        .select_related("reviewer", "application", "review").order_by("pk")
    )
    planned = [(f"review-due:{a.pk}:{(today - a.due_on).days // 7}", a) for a in assignments]
    existing = set(OutboxMessage.objects.filter(key__in=[k for k, _a in planned]).values_list("key", flat=True)) if planned else set()
    sent = 0
    for key, assignment in planned:
        if key in existing:
            continue
        message = notify(
            recipient=assignment.reviewer, template="tenants/email/review_due",
            context={"application": assignment.application, "due_on": assignment.due_on,
                     "review_url": settings.SITE_URL + reverse("admin:tenants_review_change", args=[assignment.review.pk])},
            key=key, kind="review_assigned", mandatory=True,
        )
        sent += message is not None
    return sent
