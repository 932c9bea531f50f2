"""Shared model bases."""
from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _

_NO_LABELS = object()


def _choice_labels(field):
    """``{value: label}`` of a field with fixed choices, built once per field (labels stay lazy, so
    each is translated only when shown, in the language active then); None for callable choices,
    which may change, so they are read afresh as Django does."""
    labels = field.__dict__.get("_kitb_choice_labels", _NO_LABELS)
    if labels is _NO_LABELS:
        labels = None
        if isinstance(field.choices, (list, tuple)):
            labels = {make_hashable(value): label for value, label in field.flatchoices}
        field._kitb_choice_labels = labels
    return labels


class TimeStampedModel(models.Model):
    """Every table records when a row was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field):
        """``get_FOO_display()`` without Django's per-call ``dict(make_hashable(field.flatchoices))``,
        which hashes every lazy label, i.e. translates every choice of the field on every call (a list
        of 20 rows showing two labels each translated ~600 strings). Same result: the label of the
        value in the active language, or the value itself when it is not a choice."""
        labels = _choice_labels(field)
        if labels is None:
            return super()._get_FIELD_display(field)
        value = getattr(self, field.attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)


def choices_check(field: str, choices) -> models.Q:
    """A CheckConstraint condition that keeps a TextChoices field inside its choices."""
    return models.Q(**{f"{field}__in": [value for value, _label in choices.choices]})
