"""Committee meetings of the screening committee: members and attendance, an agenda of
applications, votes, and the minutes frozen when the chair closes the meeting.

Invariants the database keeps: choices stay in their choices; one member row per user and meeting,
one agenda row per application and meeting, one vote per member and agenda item; a closed meeting
has its frozen minutes (SHA-256) and who closed it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.models import TimeStampedModel, choices_check
from kitb_portal.common.storage import private_storage


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class VoteChoice(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    ABSTAIN = "abstain", _("Abstain")
    CONFLICTED = "conflicted", _("Conflict of interest")


class AgendaOutcome(models.TextChoices):
    PENDING = "pending", _("Not decided yet")
    APPROVE = "approve", _("Approved by the committee")
    REJECT = "reject", _("Rejected by the committee")
    NO_DECISION = "no_decision", _("No decision (no majority or no quorum)")


def minutes_upload_to(instance, filename: str) -> str:
    ext = "pdf" if instance.minutes_format == "pdf" else "html"
    return f"tenants/meetings/{instance.pk}/minutes-{uuid.uuid4().hex}.{ext}"


class CommitteeMeeting(TimeStampedModel):
    """A meeting of the screening committee: members, attendance, an agenda of applications, votes,
    and minutes frozen (stored with their SHA-256) when the chair closes it."""

    Status = MeetingStatus

    title = models.CharField(_("title"), max_length=200)
    held_at = models.DateTimeField(_("date and time"))
    location = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("chair"), on_delete=models.PROTECT, related_name="+",
                              limit_choices_to={"is_staff": True})
    quorum = models.PositiveSmallIntegerField(
        _("quorum"), null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("Members present needed for a decision; empty: the portal's setting (TENANTS_COMMITTEE_QUORUM)."),
    )
    status = models.CharField(_("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED, db_index=True)
    minutes = models.TextField(_("minutes"), blank=True, help_text=_("Written before the meeting is closed; frozen when the chair closes it."))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    minutes_format = models.CharField(_("format of the frozen minutes"), max_length=4, blank=True)
    minutes_file = models.FileField(_("frozen minutes"), storage=private_storage, upload_to=minutes_upload_to, max_length=300, blank=True)
    minutes_sha256 = models.CharField(_("SHA-256 of the frozen minutes"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("committee meeting")
        verbose_name_plural = _("committee meetings")
        ordering = ["-held_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=choices_check("status", MeetingStatus), name="tenants_meeting_status_valid"),
            models.CheckConstraint(condition=Q(quorum__isnull=True) | Q(quorum__gte=1), name="tenants_meeting_quorum_positive"),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_at__isnull=False) & ~Q(minutes_sha256="") & Q(minutes_format__in=["pdf", "html"])),
                name="tenants_meeting_closed_has_minutes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_at:%Y-%m-%d})"

    @property
    def is_open(self) -> bool:
        return self.status == MeetingStatus.SCHEDULED

    @property
    def effective_quorum(self) -> int:
        return self.quorum or int(getattr(settings, "TENANTS_COMMITTEE_QUORUM", 3))


class MeetingMember(models.Model):
    """A committee member invited to a meeting, and whether they were present."""

    meeting = models.ForeignKey(CommitteeMeeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.PROTECT, related_name="committee_seats",
                             limit_choices_to={"is_staff": True})
    present = models.BooleanField(_("present"), default=False)

    class Meta:
        verbose_name = _("meeting member")
        verbose_name_plural = _("members and attendance")
        ordering = ["meeting", "user__full_name", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="tenants_meeting_member_unique")]

    def __str__(self) -> str:
        return self.user.full_name or self.user.email


class AgendaItem(models.Model):
    """An application on a meeting's agenda; its outcome is counted from the votes when the meeting closes."""

    Outcome = AgendaOutcome

    meeting = models.ForeignKey(CommitteeMeeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda")
    application = models.ForeignKey("tenants.Application", verbose_name=_("application"), on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    outcome = models.CharField(_("outcome"), max_length=12, choices=AgendaOutcome.choices, default=AgendaOutcome.PENDING)
    votes_approve = models.PositiveSmallIntegerField(_("approve"), default=0)
    votes_reject = models.PositiveSmallIntegerField(_("reject"), default=0)
    votes_abstain = models.PositiveSmallIntegerField(_("abstain"), default=0)
    votes_conflicted = models.PositiveSmallIntegerField(_("conflicted"), default=0)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "application"], name="tenants_agenda_unique"),
            models.CheckConstraint(condition=choices_check("outcome", AgendaOutcome), name="tenants_agenda_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.application.company_name}"


class MeetingVote(TimeStampedModel):
    """One member's vote on one agenda item (approve, reject, abstain, or a declared conflict)."""

    Choice = VoteChoice

    item = models.ForeignKey(AgendaItem, verbose_name=_("agenda item"), on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(MeetingMember, verbose_name=_("member"), on_delete=models.PROTECT, related_name="votes")
    choice = models.CharField(_("vote"), max_length=10, choices=VoteChoice.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["item", "member"]
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="tenants_vote_unique"),
            models.CheckConstraint(condition=choices_check("choice", VoteChoice), name="tenants_vote_choice_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_choice_display()}"
