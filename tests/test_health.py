"""/healthz/: JSON, 200 when PostgreSQL and Redis answer, 503 (fast, never an exception) otherwise."""
from __future__ import annotations

import socket
import time

import pytest
from django.db import OperationalError, connection

from tests.live import free_port


def dead_redis_cache(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
        }
    }


@pytest.mark.django_db
def test_healthz_ok(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


@pytest.mark.django_db
def test_healthz_503_when_redis_refuses_connections(client, settings):
    settings.CACHES = dead_redis_cache(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    started = time.monotonic()
    response = client.get("/healthz/")
    assert time.monotonic() - started < 2
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "redis": "error: ConnectionError"}


@pytest.mark.django_db
def test_healthz_503_when_the_redis_socket_is_gone(client, settings, tmp_path):
    settings.CACHES = dead_redis_cache(f"unix://{tmp_path}/gone.sock")
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["redis"].startswith("error")


@pytest.mark.django_db
@pytest.mark.slow  # waits out the one-second socket timeout
def test_healthz_answers_within_the_timeout_when_redis_hangs(client, settings):
    with socket.socket() as silent:  # accepts connections (kernel backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        settings.CACHES = dead_redis_cache(f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        started = time.monotonic()
        response = client.get("/healthz/")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["redis"] == "error: TimeoutError"
    assert elapsed < 3  # one socket timeout (1 s), no retry loop


@pytest.mark.django_db
def test_healthz_503_when_the_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error: OperationalError", "redis": "ok"}
