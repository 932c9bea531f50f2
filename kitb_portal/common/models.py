"""Shared model bases."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Every table records when a row was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


def choices_check(field: str, choices) -> models.Q:
    """A CheckConstraint condition that keeps a TextChoices field inside its choices."""
    return models.Q(**{f"{field}__in": [value for value, _label in choices.choices]})
