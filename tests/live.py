"""Fixtures for tests against live services: a real SMTP server and a real Celery worker.

Use them from any test module (or register this module once with ``pytest_plugins``)::

    from tests.live import celery_worker, celery_worker_env, smtp_server, wait_until  # noqa: F401

    @pytest.mark.worker
    @pytest.mark.django_db(transaction=True)
    def test_delivered(smtp_server, celery_worker, partner_a):
        notify(recipient=partner_a, template=..., context={...}, key="k")
        [mail] = smtp_server.wait_for(1)
        assert mail.subject == ...

``smtp_server`` (:class:`SMTPServer`)
    aiosmtpd on 127.0.0.1 and a free port, collecting every message it accepts. It also points the
    test process's Django settings at itself (``EMAIL_BACKEND`` = SMTP), so eager deliveries use it.
    ``refuse(n, code=451)`` makes it refuse the next ``n`` messages (at DATA, or at RCPT with
    ``stage="rcpt"``); ``stop()`` / ``start()`` take it down and bring it back on the same port.

``celery_worker`` (:class:`LiveWorker`)
    ``python -m celery -A kitb_portal worker --pool=prefork --concurrency=2 -Q <unique queue>`` in
    its own process group, on the *test* database (built from ``settings.DATABASES`` after
    pytest-django created it), the same Redis, and the ``smtp_server``. While it exists the test
    process publishes to that queue and does not run tasks eagerly. ``kill()`` sends SIGKILL to the
    whole group (what a crashed host looks like), ``kill_children()`` kills only the pool processes
    that run tasks, ``start()`` / ``restart()`` bring a new worker up on the same queue. Its log is
    printed when the test fails (``log_tail()``). Extra environment for the worker: override the
    ``celery_worker_env`` fixture in your module, or ``restart(extra_env={...})``.
    Tests that use it must be marked ``@pytest.mark.worker`` and
    ``@pytest.mark.django_db(transaction=True)`` (the worker cannot see an uncommitted test
    transaction); the fixture refuses to start otherwise.

Waiting: :func:`wait_until` polls a condition with a timeout (never a blind sleep);
``smtp_server.wait_for(n)`` waits for ``n`` messages; :func:`wait_for_outbox` waits for outbox rows
to reach a status; ``celery_worker.wait_idle()`` waits until the worker has nothing left to do (its
queue empty, no task running, reserved or waiting for its retry time, as ``celery inspect`` says);
:func:`wait_settled` waits until no more e-mail can arrive (the worker idle and the SMTP server's
count unchanged from one idle check to the next). To show that something did NOT happen (no
duplicate e-mail), assert after :func:`wait_settled`, never after a sleep.
"""

from __future__ import annotations

import email
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

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


# --- waiting ----------------------------------------------------------------------------------


def wait_until(predicate, *, timeout: float = 30.0, interval: float = 0.05, message: str = "the condition", context=None):
    """Call ``predicate`` until it returns something truthy, and return that; fail after ``timeout``.

    ``context``: a callable whose text is added to the failure (e.g. ``celery_worker.log_tail``).
    """
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            extra = f"\n{context()}" if context else ""
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {message}{extra}")
        time.sleep(interval)


def wait_for_outbox(ids, status: str, *, timeout: float = 30.0, context=None):
    """Wait until every outbox row in ``ids`` has ``status``; return the rows."""
    from kitb_portal.notifications.models import OutboxMessage

    ids = list(ids)

    def done():
        rows = list(OutboxMessage.objects.filter(pk__in=ids))
        return rows if len(rows) == len(ids) and all(r.status == status for r in rows) else None

    def describe():
        rows = OutboxMessage.objects.filter(pk__in=ids).values_list("pk", "status", "attempts", "last_error")
        text = "\n".join(f"  outbox {pk}: {st} after {n} attempts {err}" for pk, st, n, err in rows)
        return text + (f"\n{context()}" if context else "")

    return wait_until(done, timeout=timeout, message=f"outbox rows {ids} to be {status}", context=describe)


def wait_settled(smtp_server: SMTPServer, worker: LiveWorker, *, timeout: float = 60.0) -> list[ReceivedMail]:
    """Wait until no more e-mail can arrive, and return every message the SMTP server has.

    Settled means: the worker is idle (:meth:`LiveWorker.busy` is empty: nothing queued, running,
    reserved or scheduled for a retry) at two checks in a row, with the SMTP server's message count
    the same at both. Whatever would send a duplicate is then neither queued nor running.
    """
    seen: dict[str, int] = {}

    def settled():
        if worker.busy():
            seen.clear()
            return None
        count = len(smtp_server.messages)
        if seen.get("count") == count:
            return smtp_server.messages or [None]  # truthy even when no message came
        seen["count"] = count
        return None

    def describe():
        return "\n".join(worker.busy()) + f"\nSMTP server has {len(smtp_server.messages)} message(s)\n{worker.log_tail()}"

    messages = wait_until(settled, timeout=timeout, interval=0.1, message="the worker to be idle and the e-mail to stop coming",
                          context=describe)
    return [m for m in messages if m is not None]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- SMTP -------------------------------------------------------------------------------------


@dataclass
class ReceivedMail:
    """One message the SMTP server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage = field(repr=False)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def content_types(self) -> list[str]:
        return [part.get_content_type() for part in self.message.walk()]

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""

    @property
    def attachments(self) -> list[tuple[str, bytes]]:
        return [(p.get_filename(), p.get_payload(decode=True)) for p in self.message.iter_attachments()]


class _Handler:
    """aiosmtpd handler: records accepted messages, refuses the next N on request."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[ReceivedMail] = []
        self.refusals: list[tuple[str, int, str]] = []  # (stage, code, text), oldest first
        self.refused = 0
        self.data_commands = 0

    def _take_refusal(self, stage: str):
        with self.lock:
            if self.refusals and self.refusals[0][0] == stage:
                self.refused += 1
                return self.refusals.pop(0)
        return None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = self._take_refusal("rcpt")
        if refusal:
            return f"{refusal[1]} {refusal[2]}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.data_commands += 1
        refusal = self._take_refusal("data")
        if refusal:
            return f"{refusal[1]} {refusal[2]}"
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode()
        parsed = email.message_from_bytes(raw, policy=policy.default)
        with self.lock:
            self.messages.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), raw, parsed))
        return "250 Message accepted for delivery"


class SMTPServer:
    """A real SMTP server (aiosmtpd) on loopback. See the module docstring."""

    host = "127.0.0.1"

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.handler = _Handler()
        self._controller = None

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> SMTPServer:
        from aiosmtpd.controller import Controller

        if self._controller is None:
            controller = Controller(self.handler, hostname=self.host, port=self.port, ready_timeout=10)
            for _ in range(50):  # the port may linger for a moment after stop()
                try:
                    controller.start()
                    break
                except OSError:
                    time.sleep(0.1)
                    controller = Controller(self.handler, hostname=self.host, port=self.port, ready_timeout=10)
            else:
                raise RuntimeError(f"could not start the SMTP server on port {self.port}")
            self._controller = controller
        return self

    def stop(self) -> None:
        """Take the server down: connections are refused until :meth:`start`."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def refuse(self, count: int = 1, code: int = 451, text: str | None = None, stage: str = "data") -> None:
        """Refuse the next ``count`` messages with ``code`` (4xx temporary, 5xx permanent)."""
        assert stage in ("data", "rcpt")
        text = text or ("4.3.0 Try again later" if code < 500 else "5.7.1 Message rejected")
        with self.handler.lock:
            self.handler.refusals.extend([(stage, code, text)] * count)

    @property
    def messages(self) -> list[ReceivedMail]:
        with self.handler.lock:
            return list(self.handler.messages)

    @property
    def refused(self) -> int:
        """How many messages (or recipients) were refused on request so far."""
        with self.handler.lock:
            return self.handler.refused

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.messages.clear()

    def wait_for(self, count: int, *, timeout: float = 30.0, context=None) -> list[ReceivedMail]:
        """Wait until at least ``count`` messages arrived; return all of them."""
        def arrived():
            messages = self.messages
            return messages if len(messages) >= count else None

        def describe():
            text = f"have {len(self.messages)} message(s), refused {self.refused}"
            return text + (f"\n{context()}" if context else "")

        return wait_until(arrived, timeout=timeout, message=f"{count} e-mail(s) at the SMTP server", context=describe)

    def by_recipient(self) -> dict[str, list[ReceivedMail]]:
        out: dict[str, list[ReceivedMail]] = {}
        for mail in self.messages:
            for rcpt in mail.rcpt_tos:
                out.setdefault(rcpt.lower(), []).append(mail)
        return out


@pytest.fixture
def smtp_server(settings):
    """A running aiosmtpd on loopback; Django's e-mail settings point at it for this test."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every connection at INFO
    server = SMTPServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield server
    finally:
        server.stop()


# --- Celery worker ----------------------------------------------------------------------------


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
    """A real Celery worker process (prefork) on its own queue. See the module docstring."""

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
