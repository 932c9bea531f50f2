"""/healthz/: are the database and Redis answering? 200 when both do, 503 otherwise.

Always JSON, never an exception, and fast even when Redis is gone: Redis is asked for a PING on a
fresh connection with the cache's socket timeouts (at most 2 s) and no client-side retries, so a
dead or hanging Redis costs at most about two timeouts, not redis-py's retry loop.
"""
from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from redis.backoff import NoBackoff
from redis.retry import Retry

MAX_TIMEOUT = 2.0  # seconds; a health probe must answer before the load balancer gives up


def _error(exc: BaseException) -> str:
    return f"error: {exc.__class__.__name__}"


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:  # report, never raise
        return _error(exc)


def check_redis() -> str:
    """PING the cache's Redis (the broker shares REDIS_URL)."""
    try:
        cache = settings.CACHES["default"]
        location = cache["LOCATION"]
        if isinstance(location, (list, tuple)):
            location = location[0]
        location = str(location).split(",")[0].strip()
        options = cache.get("OPTIONS", {})
        timeout = min(float(options.get("socket_timeout") or MAX_TIMEOUT), MAX_TIMEOUT)
        connect_timeout = min(float(options.get("socket_connect_timeout") or MAX_TIMEOUT), MAX_TIMEOUT)
        client = redis.Redis.from_url(
            location, socket_timeout=timeout, socket_connect_timeout=connect_timeout, retry=Retry(NoBackoff(), 0)
        )
        try:
            return "ok" if client.ping() else "error: no answer"
        finally:
            client.close()
    except Exception as exc:  # report, never raise
        return _error(exc)


@never_cache
def healthz(request):
    try:
        checks = {"database": check_database(), "redis": check_redis()}
    except Exception as exc:  # belt and braces: a health probe never raises
        checks = {"database": _error(exc), "redis": _error(exc)}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
