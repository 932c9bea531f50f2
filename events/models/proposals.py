"""Co-organised events: a partner organisation's event proposals and the colleagues its administrator
authorised to propose."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.history import HistoricalRecords
from kitb_portal.common.models import TimeStampedModel, choices_check

from .common import TitleInThreeLanguages
from .events import Event, EventKind, EventMode


class ProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class EventProposal(TitleInThreeLanguages, TimeStampedModel):
    """A partner organisation proposes an event it would co-organise; KITB's events officer accepts it
    (it becomes a draft event with the organisation as co-organiser), asks for changes, or declines."""

    Status = ProposalStatus

    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="event_proposals"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="event_proposals",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices, default=EventKind.SEMINAR)
    title_id = models.CharField(_("title (Indonesian)"), max_length=200, blank=True)
    title_ko = models.CharField(_("title (Korean)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description_id = models.TextField(_("description (Indonesian)"), blank=True)
    description_ko = models.TextField(_("description (Korean)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    preferred_start = models.DateTimeField(_("preferred start"))
    preferred_end = models.DateTimeField(_("preferred end"))
    mode = models.CharField(_("format"), max_length=8, choices=EventMode.choices, default=EventMode.ON_SITE)
    expected_audience = models.PositiveIntegerField(_("expected audience"), help_text=_("How many people you expect."))
    audience_description = models.CharField(_("who the audience is"), max_length=300, blank=True)
    mou = models.ForeignKey(
        "partnerships.MoU", verbose_name=_("MoU"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="event_proposals",
    )
    commitment = models.ForeignKey(
        "partnerships.Commitment", verbose_name=_("commitment it serves"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="event_proposals",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.SUBMITTED, db_index=True
    )
    decision_message = models.TextField(_("message with the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    event = models.OneToOneField(
        Event, verbose_name=_("event"), on_delete=models.SET_NULL, null=True, blank=True, related_name="proposal"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("event proposal")
        verbose_name_plural = _("event proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=choices_check("status", ProposalStatus), name="eventproposal_status_valid"),
            models.CheckConstraint(condition=choices_check("kind", EventKind), name="eventproposal_kind_valid"),
            models.CheckConstraint(condition=choices_check("mode", EventMode), name="eventproposal_mode_valid"),
            models.CheckConstraint(
                condition=models.Q(preferred_end__gt=models.F("preferred_start")), name="eventproposal_end_after_start",
                violation_error_message=_("The event must end after it starts."),
            ),
            models.CheckConstraint(condition=models.Q(expected_audience__gt=0), name="eventproposal_audience_positive"),
            models.CheckConstraint(
                condition=~models.Q(status="accepted") | models.Q(event__isnull=False), name="eventproposal_accepted_has_event"
            ),
            models.CheckConstraint(
                condition=models.Q(status="submitted") | ~models.Q(decision_message=""),
                name="eventproposal_decision_has_message",
            ),
        ]


    @property
    def is_editable(self) -> bool:
        """The partner may still change it (``workflow``'s "proposal.update")."""
        from ..workflow import TRANSITIONS

        return TRANSITIONS["proposal.update"].allowed_from(self.status)

    def clean(self):
        errors = {}
        if self.preferred_start and self.preferred_end and self.preferred_end <= self.preferred_start:
            errors["preferred_end"] = _("The event must end after it starts.")
        if self.commitment_id:
            if not self.mou_id:
                self.mou_id = self.commitment.mou_id
            elif self.commitment.mou_id != self.mou_id:
                errors["commitment"] = _("This commitment belongs to another MoU.")
        if errors:
            raise ValidationError(errors)


class EventProposer(TimeStampedModel):
    """A partner user their organisation administrator authorised to propose and co-organise events."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="event_proposer"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("authorised by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("authorised event proposer")
        verbose_name_plural = _("authorised event proposers")

    def __str__(self) -> str:
        return str(self.user)
