"""Receivers connected in AccountsConfig.ready()."""
from django.utils import timezone

from .languages import LANGUAGE_SESSION_KEY


def update_last_login(sender, user, **kwargs) -> None:
    """Record the login time with an UPDATE, so a login is not a change in the user's history."""
    now = timezone.now()
    type(user)._default_manager.filter(pk=user.pk).update(last_login=now)
    user.last_login = now


def remember_language(sender, request, user, **kwargs) -> None:
    """After any login (portal, admin, invitation), the user's preferred language becomes active."""
    if request is not None and hasattr(request, "session") and getattr(user, "preferred_language", None):
        request.session[LANGUAGE_SESSION_KEY] = user.preferred_language
