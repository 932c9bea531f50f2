"""Fixed-window counters in the shared cache (Redis): per IP address and per e-mail address."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(scope: str, value: str) -> str:
    return f"events:ratelimit:{scope}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def hit(scope: str, value: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt; True while the count stays within ``limit`` for the window."""
    key = _key(scope, value)
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
