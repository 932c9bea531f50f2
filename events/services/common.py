"""What the services of the events app share: the history note, the name of a violated constraint,
the KITB-only rule, and the event row lock.

Lock order, everywhere: the event row first (``select_for_update``), then its registrations. The
event lock is what keeps confirmed registrations within capacity when many people register at once.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError

from .. import workflow
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
    if not workflow.ROLE_CHECKS[workflow.KITB](actor, None):
        raise PermissionDenied(workflow.KITB_ONLY)


def _lock_event(event_id: int) -> Event:
    return Event.objects.select_for_update(of=("self",)).select_related("venue", "room").get(pk=event_id)
