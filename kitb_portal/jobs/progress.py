"""Progress of a running job: a cheap ``UPDATE`` every N rows that the polling page can see at once.

An import runs inside one transaction (its dry run too); an update made on that transaction's
connection would stay invisible until the commit. So while the job's own connection is inside a
transaction, the reporter writes through a second connection of its own (autocommit), with a short
lock timeout: progress is best effort and must never block or break the job.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

logger = logging.getLogger(__name__)

DEFAULT_EVERY_ROWS = 100
DEFAULT_EVERY_SECONDS = 2.0


class ProgressReporter:
    """``reporter.advance(n)`` after rows are done; it writes at most every N rows or S seconds."""

    def __init__(self, job_id: int, *, every_rows: int | None = None, every_seconds: float | None = None, start: int = 0):
        from .models import BackgroundJob

        self.job_id = job_id
        self.table = BackgroundJob._meta.db_table
        self.every_rows = max(1, int(every_rows or getattr(settings, "JOBS_PROGRESS_EVERY_ROWS", DEFAULT_EVERY_ROWS)))
        self.every_seconds = float(every_seconds if every_seconds is not None else DEFAULT_EVERY_SECONDS)
        self.processed = start
        self._written = start
        self._written_at = time.monotonic()
        self._side = None
        self.writes = 0  # how many updates reached the database (tests look at it)

    def advance(self, rows: int = 1) -> None:
        self.processed += rows
        if self.processed - self._written >= self.every_rows or time.monotonic() - self._written_at >= self.every_seconds:
            self.write()

    def set(self, processed: int, *, force: bool = True) -> None:
        self.processed = processed
        if force:
            self.write()

    def write(self) -> None:
        sql = f'UPDATE "{self.table}" SET "processed" = LEAST(%s, COALESCE("total", %s)), "updated_at" = %s WHERE "id" = %s'
        params = [self.processed, self.processed, timezone.now(), self.job_id]
        try:
            if connections[DEFAULT_DB_ALIAS].in_atomic_block:
                cursor = self._side_cursor()
            else:
                cursor = connections[DEFAULT_DB_ALIAS].cursor()
            with cursor:
                cursor.execute(sql, params)
            self.writes += 1
        except Exception:  # progress is best effort
            logger.warning("job %s: progress update failed", self.job_id, exc_info=True)
        self._written = self.processed
        self._written_at = time.monotonic()

    def _side_cursor(self):
        if self._side is None:
            self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            self._side.ensure_connection()
            with self._side.cursor() as cursor:
                # Never wait on a lock held by the job's own transaction (that would be a deadlock
                # across two connections of one thread); skip this update instead.
                cursor.execute("SET lock_timeout = '500ms'")
        return self._side.cursor()

    def close(self) -> None:
        if self._side is not None:
            try:
                self._side.close()
            finally:
                self._side = None
