"""Shared model bases."""
import logging
from contextlib import nullcontext

from django.core.exceptions import FieldError, ValidationError
from django.db import DatabaseError, connections, models, router, transaction
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


def failed_checks(model, instance, checks, *, exclude=None, using) -> list | None:
    """The CheckConstraints of ``checks`` that ``instance`` breaks, asked in one query.

    Django's ``CheckConstraint.validate`` asks the database once per constraint (inside a savepoint
    when a transaction is open), so a model with thirteen checks cost some forty queries per
    ``full_clean``. The same conditions go here into one ``SELECT`` of one boolean column each. As in
    Django, a condition that reads a field left out by ``exclude`` is not checked. Returns None when
    the database refused the query, so the caller can ask Django's way, one by one.
    """
    from django.db.models import BooleanField, Q, Value
    from django.db.models.functions import Coalesce
    from django.db.models.sql import Query
    from django.db.models.sql.constants import SINGLE

    against = instance._get_field_expression_map(meta=model._meta, exclude=exclude)
    candidates = list(checks)
    while candidates:
        query = Query(None)
        for name, value in against.items():
            query.add_annotation(value if hasattr(value, "resolve_expression") else Value(value), name, select=False)
        try:
            for index, constraint in enumerate(candidates):
                query.add_annotation(Coalesce(Q(constraint.condition), True, output_field=BooleanField()), f"_check_{index}")
        except FieldError:
            del candidates[index]  # reads an excluded field: left unchecked, as Django does
            continue
        connection = connections[using]
        try:
            with transaction.atomic(using=using) if connection.in_atomic_block else nullcontext():
                row = query.get_compiler(using=using).execute_sql(SINGLE)
        except DatabaseError as exc:
            logger.warning("Got a database error checking %s's constraints together: %s", model._meta.label, exc)
            return None
        return [constraint for constraint, passed in zip(candidates, row, strict=True) if not passed]
    return []

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

    def validate_constraints(self, exclude=None):
        """Django's ``Model.validate_constraints`` (same errors, same order), with every
        CheckConstraint of a model asked in one query (:func:`failed_checks`)."""
        using = router.db_for_write(self.__class__, instance=self)
        errors = {}
        for model_class, constraints in self.get_constraints():
            checks = [c for c in constraints if isinstance(c, models.CheckConstraint)]
            failed = failed_checks(model_class, self, checks, exclude=exclude, using=using) if len(checks) > 1 else None
            asked = {id(c) for c in checks} if failed is not None else set()
            broken = {id(c) for c in failed or ()}
            for constraint in constraints:
                try:
                    if id(constraint) in asked:
                        if id(constraint) in broken:
                            raise ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)
                        continue
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as e:
                    if getattr(e, "code", None) == "unique" and len(getattr(constraint, "fields", ())) == 1:
                        errors.setdefault(constraint.fields[0], []).append(e)
                    else:
                        errors = e.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

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
