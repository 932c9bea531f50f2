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


def language_of(user_id: int) -> str:
    """The language a person reads their e-mail in: the preference's e-mail language, else the
    account's preferred language, else the site's. Unknown users get the site's (the caller answers 404)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    row = (
        get_user_model().objects.filter(pk=user_id)
        .values("preferred_language", "notification_preference__email_language").first()
    )
    codes = {code for code, _name in settings.LANGUAGES}
    for lang in (row or {}).get("notification_preference__email_language"), (row or {}).get("preferred_language"):
        if lang in codes:
            return lang
    return settings.LANGUAGE_CODE
