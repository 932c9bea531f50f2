"""What the benchmark commands share: the bench databases, a production-like server on them, wrk.

``make bench`` (:mod:`.bench`, the mixed load and its per-page mode in :mod:`.bench_per_page`) and
``make sweep`` (``manage.py cold_sweep``) use these; nothing here is imported by the site itself.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PY = sys.executable
RESULTS_DIR = BASE_DIR / "bench-results"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env(db_name: str) -> dict:
    """Environment of a production-like process on the bench database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kitb_portal.settings")
    from kitb_portal import devstack

    env = dict(os.environ)
    if not env.get("DATABASE_URL"):
        db = devstack.database_settings()
        env["DATABASE_URL"] = f"postgres://{db['USER']}@/{db_name}?host={db['HOST']}"
    else:
        env["DATABASE_URL"] = re.sub(r"/[^/?]+(\?|$)", f"/{db_name}\\1", env["DATABASE_URL"], count=1)
    env.setdefault("REDIS_URL", devstack.redis_url())
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=env.get("SECRET_KEY") or "bench-" + "k" * 60,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        STATIC_ROOT=str(BASE_DIR / ".data" / "staticfiles-bench"),
        DB_CONN_MAX_AGE="600",
        CACHE_KEY_PREFIX=f"bench{db_name}",
        BENCH_VIEW="true",
        LOG_LEVEL="WARNING",
        CELERY_QUEUE=f"bench-{db_name}",  # the writes' e-mail tasks wait in a queue of their own
        DEMO_PASSWORD=env.get("DEMO_PASSWORD", "bench-password-not-for-production"),
    )
    return env


def ensure_database(db_name: str, fresh: bool = False) -> None:
    from kitb_portal import devstack

    if os.environ.get("DATABASE_URL"):
        return  # a managed server: the operator creates the bench databases
    with devstack._lock("postgres"):
        server = devstack._postgres_server()
        if fresh:
            server.psql(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE);")
        if "(1 row)" not in server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{db_name}';"):
            server.psql(f"CREATE DATABASE {db_name};")


def _manage(env: dict, *args: str, capture: bool = False) -> str:
    proc = subprocess.run([PY, "manage.py", *args], env=env, cwd=BASE_DIR, text=True, capture_output=capture, check=True)
    return proc.stdout if capture else ""


def prepare(scale: int, fresh: bool = False) -> dict:
    db_name = f"kitb_bench_{scale}"
    ensure_database(db_name, fresh)
    env = bench_env(db_name)
    _manage(env, "migrate", "--noinput", "-v", "0")
    _manage(env, "collectstatic", "--noinput", "-v", "0")
    # Demo and generated data refuse production settings: the same database, development mode.
    seed_env = dict(env, DJANGO_ENV="development", DEBUG="false")
    _manage(seed_env, "seed_demo", capture=True)
    started = time.monotonic()
    out = _manage(seed_env, "seed_bulk", "--scale", str(scale), "--if-empty", capture=True)
    print(out.strip().splitlines()[-1], f"({time.monotonic() - started:.0f} s)", flush=True)
    return env


def start_server(env: dict) -> tuple[subprocess.Popen, str]:
    """gunicorn (2 workers) on a free port of loopback, answering; stops the benchmark if it never does."""
    from kitb_portal.devstack import wait_for

    port = free_port()
    gunicorn = subprocess.Popen(
        [PY, "-m", "gunicorn", "kitb_portal.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env, cwd=BASE_DIR,
    )
    base = f"http://127.0.0.1:{port}"
    if not wait_for(base + "/bench/ok/", timeout=20):
        gunicorn.terminate()
        raise SystemExit("bench: gunicorn did not answer on /bench/ok/ within 20 s (see its messages above)")
    return gunicorn, base


def run_wrk(args: list[str]) -> tuple[str, float]:
    """Run wrk; return its output and the wall-clock seconds of its run."""
    started = time.monotonic()
    proc = subprocess.Popen(["wrk", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed: {err[-2000:]}")
    return out, wall


def parse_wrk(out: str) -> tuple[float, float, float, int, int]:
    """(requests/s, p50 ms, p99 ms, errors = non-2xx/3xx and socket errors, requests) from wrk --latency."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p: str) -> float:
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = 0
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(x) for x in m.groups())
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return rps, pct("50"), pct("99"), errors, requests


def manage_json(env: dict, *args: str) -> dict | None:
    """Run a management command that prints a JSON object as its last line; its output is shown."""
    proc = subprocess.run([PY, "manage.py", *args], env=env, cwd=BASE_DIR, text=True, capture_output=True)
    if proc.returncode != 0:
        print(f"manage.py {args[0]} failed:", proc.stderr[-2000:], flush=True)
        return None
    lines = proc.stdout.strip().splitlines()
    print("\n".join(lines[:-1]), flush=True)
    return json.loads(lines[-1])


def commit() -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, text=True,
                          capture_output=True).stdout.strip() or "nogit"
