"""A real Celery worker process (prefork) on a queue of its own, against the test database, Redis and
the ``smtp_server``; the ``celery_worker`` fixture and the context that publishes to its queue."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from .waiting import wait_until

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Settings the worker takes from the environment, copied from the test process's settings.
FORWARDED_SETTINGS = (
    "OUTBOX_MAX_ATTEMPTS",
    "OUTBOX_RETRY_BASE_SECONDS",
    "OUTBOX_RETRY_CAP_SECONDS",
    "OUTBOX_CLAIM_LEASE_SECONDS",
    "OUTBOX_REQUEUE_AFTER_SECONDS",
    "DEFAULT_FROM_EMAIL",
    "SITE_URL",
)



def database_url(db: dict) -> str:
    """A DATABASE_URL for django-environ that reaches the same database as ``db`` (DATABASES entry)."""
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host, port = str(db.get("HOST") or ""), str(db.get("PORT") or "")
    name = quote(db["NAME"], safe="")
    if host.startswith("/"):  # a unix socket directory: pass it as a query parameter
        query = {"host": host, **({"port": port} if port else {})}
        return f"postgres://{auth}/{name}?{urlencode(query)}"
    return f"postgres://{auth}{host}{':' + port if port else ''}/{name}"


class LiveWorker:
    """A real Celery worker process (prefork) on its own queue. See the package docstring (tests/live/__init__.py)."""

    def __init__(self, *, queue: str, smtp_url: str, logdir: Path, extra_env: dict | None = None, concurrency: int = 2):
        self.queue = queue
        self.smtp_url = smtp_url
        self.logdir = Path(logdir)
        self.extra_env = dict(extra_env or {})
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None
        self.generation = 0
        self.logfile: Path | None = None

    # environment
    def environment(self) -> dict:
        from django.conf import settings

        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
        env.update(
            DJANGO_SETTINGS_MODULE="kitb_portal.settings",
            DJANGO_ENV="development",
            DATABASE_URL=database_url(settings.DATABASES["default"]),
            DB_CONN_MAX_AGE="0",
            REDIS_URL=settings.REDIS_URL,
            EMAIL_URL=self.smtp_url,
            EMAIL_TIMEOUT="5",
            CELERY_QUEUE=self.queue,
            CELERY_TASK_ALWAYS_EAGER="false",
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        for name in FORWARDED_SETTINGS:
            if hasattr(settings, name):
                env[name] = str(getattr(settings, name))
        env.update({k: str(v) for k, v in self.extra_env.items()})
        return env

    # lifecycle
    def start(self, *, timeout: float = 60.0) -> LiveWorker:
        assert not self.alive, "the worker is already running"
        self.generation += 1
        self.logfile = self.logdir / f"celery-{self.queue}-{self.generation}.log"
        node = f"{self.queue}-{self.generation}@%h"
        cmd = [
            sys.executable, "-m", "celery", "-A", "kitb_portal", "worker",
            "--pool=prefork", f"--concurrency={self.concurrency}", "-Q", self.queue, "-n", node,
            "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]
        self._mark_broker()
        with open(self.logfile, "wb") as log:
            self.process = subprocess.Popen(
                cmd, cwd=BASE_DIR, env=self.environment(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_until(self._ready, timeout=timeout, interval=0.1, message=f"the Celery worker on {self.queue} to be ready",
                   context=self.log_tail)
        return self

    @property
    def nodename(self) -> str:
        return f"{self.queue}-{self.generation}@{socket.gethostname()}"

    def queued(self) -> int:
        """Messages waiting in the worker's queue at the broker (kombu keeps one list per priority step)."""
        from kombu.transport.redis import PRIORITY_STEPS

        redis = self._redis()
        keys = [self.queue] + [f"{self.queue}\x06\x16{step}" for step in PRIORITY_STEPS if step]
        return sum(redis.llen(key) for key in keys)

    def busy(self) -> list[str]:
        """What is left to do, one line each; empty when the worker is idle: no message in its queue and,
        as the worker itself answers ``celery inspect``, no task running, reserved or scheduled (a retry
        waiting for its countdown). A worker that does not answer counts as busy."""
        from kitb_portal.celery import app

        if not self.alive:
            return ["the worker is not running"]
        left = [f"{n} message(s) in the queue"] if (n := self.queued()) else []
        inspect = app.control.inspect(destination=[self.nodename], timeout=2.0)
        for state in ("active", "reserved", "scheduled"):
            replies = getattr(inspect, state)() or {}
            if self.nodename not in replies:
                left.append(f"no answer to `inspect {state}`")
                continue
            for task in replies[self.nodename]:
                request = task.get("request", task)
                left.append(f"{state}: {request.get('name')} {request.get('args')}")
        return left

    def wait_idle(self, *, timeout: float = 60.0) -> None:
        """Wait until :meth:`busy` is empty."""
        wait_until(lambda: not self.busy(), timeout=timeout, interval=0.1, message=f"the worker on {self.queue} to be idle",
                   context=lambda: "\n".join(self.busy()) + "\n" + self.log_tail())

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the Celery worker exited with {self.process.returncode}:\n{self.log_tail()}")
        text = self.log()
        return " ready." in text

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def child_pids(self) -> list[int]:
        """The pool processes (children of the main worker process)."""
        if not self.alive:
            return []
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.process.pid:
                children.append(int(entry.name))
        return children

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool), like a crashed host. No clean-up runs."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)

    def kill_children(self) -> list[int]:
        """SIGKILL the pool processes only; the main process notices and starts new ones."""
        pids = self.child_pids()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return pids

    def stop(self, timeout: float = 15.0) -> None:
        """Warm shutdown (SIGTERM: finish running tasks), then SIGKILL whatever is left of the group."""
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                self.process.send_signal(signal.SIGTERM)
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # orphans of the pool, if any
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    def restart(self, *, extra_env: dict | None = None, timeout: float = 60.0) -> LiveWorker:
        """Stop (or reap a killed worker) and start a new one on the same queue."""
        self.stop()
        if extra_env is not None:
            self.extra_env.update(extra_env)
        return self.start(timeout=timeout)

    # the broker's Redis database
    def _redis(self):
        import redis
        from django.conf import settings

        return redis.Redis.from_url(settings.CELERY_BROKER_URL.replace("redis+socket://", "unix://", 1), socket_timeout=2)

    def _mark_broker(self) -> None:
        """Leave a key next to the queue, to tell later whether someone emptied the database."""
        try:
            self._redis().set(f"kitb-live-worker:{self.queue}", "1", ex=3600)
        except Exception:  # diagnostics only
            pass

    def broker_was_flushed(self) -> bool:
        """True if the broker's Redis database was emptied since the worker started.

        ``cache.clear()`` is FLUSHDB: where the cache shares the broker's database, a test run in
        another process that clears the cache wipes this run's queue (messages and bindings).
        """
        try:
            return not self._redis().exists(f"kitb-live-worker:{self.queue}")
        except Exception:
            return False

    # logs
    def log(self) -> str:
        try:
            return self.logfile.read_text(errors="replace") if self.logfile else ""
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        text = "\n".join(self.log().splitlines()[-lines:])
        warning = (
            "\n!!! the broker's Redis database was flushed during this test (FLUSHDB, e.g. cache.clear() of a "
            "parallel test run sharing the database): queued messages were lost, the failure may not be the code's."
            if self.broker_was_flushed() else ""
        )
        return f"--- celery worker log ({self.logfile}) ---\n{text}{warning}"


class publishing_to:
    """Context manager: the test process publishes tasks to ``queue`` and never runs them eagerly."""

    def __init__(self, queue: str):
        self.queue = queue

    def __enter__(self):
        from kitb_portal.celery import app

        self._saved = (app.conf.task_always_eager, app.conf.task_default_queue)
        app.conf.task_always_eager = False
        app.conf.task_default_queue = self.queue
        return self

    def __exit__(self, *exc):
        from kitb_portal.celery import app

        app.conf.task_always_eager, app.conf.task_default_queue = self._saved
        return False


@pytest.fixture
def celery_worker_env() -> dict:
    """Extra environment for the live worker; override this fixture in a module to change it."""
    return {}


def _check_markers(request) -> None:
    db_marker = request.node.get_closest_marker("django_db")
    transactional = bool(db_marker and (db_marker.kwargs.get("transaction") or (db_marker.args and db_marker.args[0])))
    if not transactional:
        pytest.fail("tests using celery_worker need @pytest.mark.django_db(transaction=True)", pytrace=False)
    if request.node.get_closest_marker("worker") is None:
        pytest.fail("tests using celery_worker need @pytest.mark.worker", pytrace=False)


@pytest.fixture
def celery_worker(request, smtp_server, celery_worker_env, django_db_setup, tmp_path):
    """A real Celery worker on a unique queue, against the test database, Redis and ``smtp_server``."""
    _check_markers(request)
    queue = f"test-{uuid.uuid4().hex[:12]}"
    worker = LiveWorker(queue=queue, smtp_url=smtp_server.url, logdir=tmp_path, extra_env=celery_worker_env)
    with publishing_to(queue):
        try:
            worker.start()
            yield worker
        finally:
            worker.stop()
            _purge_queue(queue)
            print(worker.log_tail(120))  # captured: pytest shows it only when the test failed


def _purge_queue(queue: str) -> None:
    """Drop what is left in the test's queue (retries with a countdown, duplicates)."""
    from kitb_portal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(queue)
            conn.default_channel.queue_delete(queue)
    except Exception:  # best effort; the queue name is never used again
        pass
