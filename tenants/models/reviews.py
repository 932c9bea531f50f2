"""The screening reviews: a committee member's assignment to an application, their review of it
(or a declared conflict of interest) and their score (1–5) on each criterion."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.models import TimeStampedModel

from .applications import Application
from .reference import ScreeningCriterion


class ReviewAssignment(TimeStampedModel):
    """A committee member assigned to review an application."""

    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="review_assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), on_delete=models.SET_NULL, null=True, related_name="+")
    due_on = models.DateField(_("review due on"), null=True, blank=True, help_text=_("The reviewer is reminded weekly once it has passed."))

    class Meta:
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["application", "reviewer"], name="tenants_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.application}"


class Review(TimeStampedModel):
    """One reviewer's review of one application (through their assignment)."""

    assignment = models.OneToOneField(ReviewAssignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="review")
    conflict_of_interest = models.BooleanField(
        _("conflict of interest"), default=False, help_text=_("A conflicted reviewer's scores do not count."),
    )
    conflict_note = models.TextField(_("conflict of interest: details"), blank=True)
    comment = models.TextField(_("overall comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return str(self.assignment)

    @property
    def is_complete(self) -> bool:
        return self.submitted_at is not None


class ReviewScore(TimeStampedModel):
    review = models.ForeignKey(Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(ScreeningCriterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField(_("score (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["criterion__position", "criterion__code"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="tenants_score_unique"),
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="tenants_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"
