"""Waiting for facts, never a blind sleep: a condition with a timeout, outbox rows reaching a status,
the worker and the SMTP server settling (nothing more can arrive)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .smtp import ReceivedMail, SMTPServer
    from .worker import LiveWorker


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
