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

The package: ``smtp`` (the SMTP server), ``worker`` (the Celery worker), ``waiting`` (the waits),
``ports`` (a free port). Import from ``tests.live``; ``tests/conftest.py`` registers it as a plugin,
so the fixtures are everywhere.

Waiting: :func:`wait_until` polls a condition with a timeout (never a blind sleep);
``smtp_server.wait_for(n)`` waits for ``n`` messages; :func:`wait_for_outbox` waits for outbox rows
to reach a status; ``celery_worker.wait_idle()`` waits until the worker has nothing left to do (its
queue empty, no task running, reserved or waiting for its retry time, as ``celery inspect`` says);
:func:`wait_settled` waits until no more e-mail can arrive (the worker idle and the SMTP server's
count unchanged from one idle check to the next). To show that something did NOT happen (no
duplicate e-mail), assert after :func:`wait_settled`, never after a sleep.
"""

from .ports import free_port
from .smtp import ReceivedMail, SMTPServer, _Handler, smtp_server
from .waiting import wait_for_outbox, wait_settled, wait_until
from .worker import (
    FORWARDED_SETTINGS,
    LiveWorker,
    _purge_queue,
    celery_worker,
    celery_worker_env,
    database_url,
    publishing_to,
)

__all__ = [
    "FORWARDED_SETTINGS",
    "LiveWorker",
    "ReceivedMail",
    "SMTPServer",
    "_Handler",
    "_purge_queue",
    "celery_worker",
    "celery_worker_env",
    "database_url",
    "free_port",
    "publishing_to",
    "smtp_server",
    "wait_for_outbox",
    "wait_settled",
    "wait_until",
]
