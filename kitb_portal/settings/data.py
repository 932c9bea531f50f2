"""Where the data live: PostgreSQL, Redis (cache and broker) and Celery."""

from __future__ import annotations

import sys

from django.core.exceptions import ImproperlyConfigured

from .base import *

# --- Database -------------------------------------------------------------------------------
# PostgreSQL URL; unset = the embedded dev server under .data/postgres.
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
else:
    if PRODUCTION:
        raise ImproperlyConfigured("DATABASE_URL must be set when DJANGO_ENV=production.")
    from kitb_portal.devstack import database_settings

    DATABASES = {"default": database_settings()}
# Seconds a connection is kept open between requests (persistent connections).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Name of the test database; lets several pytest runs share one server.
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="test_kitb")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker ---------------------------------------------------------
# Redis URL (redis://, rediss:// or unix://); unset = the embedded dev server under .data/redis.
if env.str("REDIS_URL", default=""):
    REDIS_URL = env.str("REDIS_URL")
else:
    if PRODUCTION:
        raise ImproperlyConfigured("REDIS_URL must be set when DJANGO_ENV=production.")
    from kitb_portal.devstack import redis_url

    REDIS_URL = redis_url()



def _redis_db(url: str, db: int) -> str:
    """The same Redis server, another logical database (unix:// takes ?db=, redis:// the path)."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = dict(parse_qsl(parts.query))
        query["db"] = str(db)
        return f"unix://{parts.path}?{urlencode(query)}"
    return urlunsplit(parts._replace(path=f"/{db}"))


TESTING = "pytest" in sys.modules  # set by pytest before settings load
# Cache database: separate from the broker's, so clearing the cache never drops queued tasks.
CACHE_REDIS_URL = env.str("CACHE_REDIS_URL", default="") or _redis_db(REDIS_URL, 2 if TESTING else 1)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="kitb"),
        "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
    }
}
# `make bench` serves the same mix once with Django's dummy cache (nothing kept) to weigh the caches.
if env.bool("BENCH_DUMMY_CACHE", default=False):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL.replace("unix://", "redis+socket://", 1) if REDIS_URL.startswith("unix://") else REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Queue the tasks go to; tests give each run its own so parallel runs never share a worker.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="kitb")
# Run tasks in-process: default on under pytest (unit level); the real worker tests turn it off.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=TESTING)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
