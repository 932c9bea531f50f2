"""What the services of the events app share: the history note, the name of a violated constraint,
the KITB-only rule, and the event row lock.

Lock order, everywhere: the event row first (``select_for_update``), then its registrations. The
event lock is what keeps confirmed registrations within capacity when many people register at once.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _

from ..models import Event


def _history(instance, actor, reason: str) -> None:
    instance._history_user = actor if getattr(actor, "is_authenticated", False) else None
    instance._change_reason = reason


def _constraint_name(exc: IntegrityError) -> str:
    cause = getattr(exc, "__cause__", None)
    diag = getattr(cause, "diag", None)
    return getattr(diag, "constraint_name", "") or ""


def _require_kitb(actor) -> None:
    """Publishing, cancelling, moving and resizing events are KITB's: a partner (a co-organiser
    included) is refused. ``None`` is the system (sweeps, scripts)."""
    if actor is not None and getattr(actor, "is_authenticated", False) and not actor.is_staff:
        raise PermissionDenied(_("Only KITB staff publish, cancel, move or resize an event."))


def _lock_event(event_id: int) -> Event:
    return Event.objects.select_for_update(of=("self",)).select_related("venue", "room").get(pk=event_id)
