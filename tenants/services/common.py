"""What the tenants services share: a row loaded and locked for the change, or a clear message that
it does not exist (not a 500 for an id that is gone)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ..models import Application


def existing(queryset: QuerySet, pk, missing: str):
    """The row ``pk`` of ``queryset``; a ValidationError saying ``missing`` when there is none (or
    ``pk`` is no id at all)."""
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise ValidationError(missing) from None


def locked(queryset: QuerySet, pk, missing: str):
    """:func:`existing`, locked for update (its own table only, not the rows it joins)."""
    return existing(queryset.select_for_update(of=("self",)), pk, missing)


def existing_application(application_id: int) -> Application:
    return existing(Application.objects.all(), application_id, _("This application does not exist."))


def locked_application(application_id: int) -> Application:
    return locked(Application.objects.select_related("referrer"), application_id, _("This application does not exist."))
