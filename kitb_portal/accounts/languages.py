"""The user's preferred language: a session key the middleware reads, and the cookie set at login."""
from django.conf import settings

# Session key set at login (signals.remember_language) and read by UserLanguageMiddleware.
LANGUAGE_SESSION_KEY = "preferred_language"


def set_language_cookie(response, language: str):
    """Make ``language`` the active one from the next request on (the switcher's cookie)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
