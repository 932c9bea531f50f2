"""Language and time zone follow the logged-in user's preferences."""
import zoneinfo

from django.conf import settings
from django.utils import timezone

from .languages import LANGUAGE_SESSION_KEY


class UserLanguageMiddleware:
    """Before LocaleMiddleware: a logged-in user without an explicit language cookie sees their
    preferred language; the switcher's cookie wins when they choose another."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            lang = request.session.get(LANGUAGE_SESSION_KEY) if hasattr(request, "session") else None
            if lang:
                request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = lang
        return self.get_response(request)


class UserTimezoneMiddleware:
    """Times are shown in the viewer's zone (stored in UTC)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.time_zone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)
