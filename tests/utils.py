"""Test helpers shared by every app."""
from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(fn, *args, **kwargs) -> tuple[int, list[str], object]:
    """Run ``fn`` and return (number of queries, their SQL, fn's result)."""
    with CaptureQueriesContext(connection) as ctx:
        result = fn(*args, **kwargs)
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries], result


def assert_flat_queries(small: tuple[int, list[str], object], large: tuple[int, list[str], object], limit: int | None = None) -> None:
    """The query count must not grow with the data (and stay under ``limit``); prints the SQL if it does."""
    n_small, sql_small, _ = small
    n_large, sql_large, _ = large
    detail = "\n".join(f"  {i + 1}. {s[:300]}" for i, s in enumerate(sql_large))
    assert n_small == n_large, f"query count grew with the data: {n_small} → {n_large}\n{detail}"
    if limit is not None:
        assert n_large <= limit, f"{n_large} queries, more than {limit}:\n{detail}"


def logged_in_client(user):
    """A test client of its own with ``user`` logged in (past the second factor: tests/conftest.py)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def race(target, calls, *, timeout: float = 120) -> list[Exception]:
    """Call ``target(*args)`` for each ``args`` of ``calls``, each in a thread of its own, all let go
    at the same moment (a barrier); each thread closes its database connection at the end. Returns
    the exceptions raised (in no particular order). Needs ``django_db(transaction=True)``."""
    import threading

    barrier = threading.Barrier(len(calls))
    errors: list[Exception] = []

    def run(args):
        try:
            barrier.wait(timeout=30)
            target(*args)
        except Exception as exc:  # returned to the test, which asserts on them
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(args,)) for args in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return errors
