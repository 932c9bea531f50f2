"""Reads of the notifications core: a person's preferences, and the form's starting values."""

from __future__ import annotations

from . import kinds
from .models import DigestFrequency, NotificationPreference


def preference_get_for(user) -> NotificationPreference:
    """The person's saved preferences, or an unsaved row with the defaults."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(
        user=user, digest_frequency=DigestFrequency.WEEKLY
    )


def preference_initial(user) -> dict:
    """Initial values of the preferences form: every offered kind not switched off is ticked."""
    preference = preference_get_for(user)
    muted = set(preference.muted_kinds)
    return {
        "email_language": preference.email_language,
        "digest_frequency": preference.digest_frequency,
        "received_kinds": [k.code for k in kinds.choosable(staff=user.is_staff) if k.code not in muted],
    }
