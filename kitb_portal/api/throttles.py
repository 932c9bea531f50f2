"""Rate limits per API token (per user for a browser session), counted in the Redis cache."""
from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .permissions import token_of


class ApiTokenRateThrottle(SimpleRateThrottle):
    """``API_THROTTLE_RATE`` requests per token: each token has its own budget, so one busy script
    does not starve its owner's others; a session counts per user. Answered with 429 and Retry-After."""

    scope = "api"

    def get_rate(self):
        return settings.API_THROTTLE_RATE  # read per request, so the setting can change without a restart

    def get_cache_key(self, request, view):
        token = token_of(request)
        if token is not None:
            ident = f"token:{token.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
