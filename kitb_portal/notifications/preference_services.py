"""A person's notification preferences: the e-mail language, daily/weekly/no digest and the kinds
they receive, changed from their preferences page or by a one-click unsubscribe link. Re-exported
by ``services``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from . import kinds


def _locked_preference(user):
    """The person's preference row, locked; an unsaved one with the defaults if they have none."""
    from .models import NotificationPreference

    return NotificationPreference.objects.select_for_update().filter(user=user).first() or NotificationPreference(user=user)


def _save_preference(preference, *, actor, reason: str) -> None:
    """Save with history (who and why); a first save that meets a simultaneous one updates that row."""
    from .models import NotificationPreference

    preference._history_user = actor
    preference._change_reason = reason
    preference.full_clean(exclude=["user"])
    if preference.pk is None:
        try:
            with transaction.atomic():
                preference.save()
            return
        except IntegrityError:  # the person saved twice at the same moment: the later choice wins
            preference.pk = NotificationPreference.objects.select_for_update().get(user=preference.user).pk
            preference._state.adding = False
    preference.save()


@transaction.atomic
def preference_update(*, actor, user, email_language: str, digest_frequency: str, received_kinds):
    """Save what ``user`` wants to receive: e-mail language, digest frequency, and the optional kinds
    (of those their page offers) they still receive; the others offered are switched off.

    Kinds the page does not offer (another audience's, unknown ones already muted) keep their state.
    ``actor`` is the person themselves, or staff who may change notification preferences.
    """
    from .permissions import can_change_preferences

    if not can_change_preferences(actor, user):
        raise PermissionDenied(_("You may not change this person's notification preferences."))
    offered = {k.code for k in kinds.choosable(staff=user.is_staff)}
    received = set(received_kinds)
    unknown = received - offered
    if unknown:
        raise ValidationError({"received_kinds": _("Unknown message kinds: %(kinds)s.") % {"kinds": ", ".join(sorted(unknown))}})
    preference = _locked_preference(user)
    kept = [code for code in preference.muted_kinds if code not in offered]
    preference.email_language = email_language
    preference.digest_frequency = digest_frequency
    preference.muted_kinds = sorted(set(kept) | (offered - received))
    _save_preference(preference, actor=actor, reason="preferences changed")
    return preference


@transaction.atomic
def preference_unsubscribe(*, user_id: int, kind: str) -> tuple[object, bool]:
    """Switch ``kind`` off for a person (the unsubscribe link; the signed token is the authority).

    ``digest`` turns the digest off. Returns ``(user, changed)``; a kind that cannot be switched off
    raises ``ValidationError``, an unknown or inactive person ``PermissionDenied``.
    """
    from django.contrib.auth import get_user_model

    from .models import DigestFrequency

    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise PermissionDenied(_("This link no longer belongs to an active account."))
    if not kinds.is_optional(kind):
        raise ValidationError(_("These messages cannot be switched off."))
    preference = _locked_preference(user)
    if kind == kinds.DIGEST:
        changed = preference.digest_frequency != DigestFrequency.OFF
        preference.digest_frequency = DigestFrequency.OFF
    else:
        changed = kind not in preference.muted_kinds
        if changed:
            preference.muted_kinds = sorted({*preference.muted_kinds, kind})
    if changed:
        _save_preference(preference, actor=user, reason=f"unsubscribed from {kind} by e-mail link")
    return user, changed
