"""Fixed-window counters in the shared cache (Redis): per IP address and per e-mail address."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    """The client's address. Behind our own proxies, the entry they appended to X-Forwarded-For
    (counting PROXY_COUNT from the right: the left part is whatever the client sent)."""
    if getattr(settings, "BEHIND_PROXY", False):
        parts = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        count = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 1
        if len(parts) >= count:
            return parts[-count]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(scope: str, value: str) -> str:
    return f"events:ratelimit:{scope}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def hit(scope: str, value: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt; True while the count stays within ``limit`` for the window."""
    key = _key(scope, value)
    try:
        cache.add(key, 0, timeout=window_seconds)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window_seconds)
            count = 1
    except Exception:  # noqa: BLE001 - Redis down: let people register (the honeypot still works)
        logger.warning("rate limit %s: cache unavailable, allowing the attempt", scope, exc_info=True)
        return True
    return count <= limit
