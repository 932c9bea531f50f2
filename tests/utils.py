"""Test helpers shared by every app."""
from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

T = TypeVar("T")


def built_once(django_db_blocker, build: Callable[..., T], *args, **kwargs) -> Iterator[T]:
    """Data built once and shared by the tests of a module (a class, a package), undone at the end.
    For a fixture wider than a function (for a class of tests, ``SharedByTheClass`` below does it):

        @pytest.fixture(scope="module")
        def shared_world(django_db_setup, django_db_blocker):
            yield from built_once(django_db_blocker, build_world)

    ``build(*args, **kwargs)`` runs in a transaction opened here (Celery tasks eager, as the tests run
    them) and rolled back when the fixture ends. Each ``django_db`` test runs in pytest-django's atomic
    block nested in it, a savepoint: it sees the data, and what it writes is undone before the next
    test. The database is open only while building and rolling back: a test still needs its mark.
    Not for ``django_db(transaction=True)`` tests (they flush the database). Every test run while the
    data exist sees them: put the tests that share them in a class of their own when other tests of
    the module must not. Tests share rows, not Python objects: hand each test ``own_copy`` of what
    ``build`` returned, and have the fixtures of what it holds (``kitb``, ``partner_a``...) return
    that copy's, so a test that asks for both gets the same objects."""
    from kitb_portal.celery import app

    atomic = transaction.atomic()
    with django_db_blocker.unblock():
        atomic.__enter__()
        eager, app.conf.task_always_eager = app.conf.task_always_eager, True
        try:
            data = build(*args, **kwargs)
        except BaseException as exc:
            atomic.__exit__(type(exc), exc, exc.__traceback__)
            raise
        finally:
            app.conf.task_always_eager = eager
    try:
        yield data
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def own_copy(data: T) -> T:
    """A test's own copy of data shared by several tests (``built_once``), as Django's
    ``setUpTestData`` gives each test its own: a test that changes an object (a save, a login's
    ``last_login``) does not hand the change to the next. Objects keep their identity within the copy."""
    return copy.deepcopy(data)


class SharedByTheClass:
    """Base of a class of tests that share data built once for the class (``built_once``): ``build``
    (a staticmethod) returns a dict of what it made; each test gets its own copy of it (``own``), and
    each name in ``shares`` is a fixture giving the copy's object of that name, so a test asking for
    both ``world`` and ``partner_a`` gets the same objects::

        class TestTwoOrganisations(SharedByTheClass):
            build = staticmethod(_two_organisations)
            shares = ("world", "kitb", "partner_a")
    """

    build: Callable[[], dict]
    shares: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for key in cls.shares:
            setattr(cls, key, _shared_fixture(key))

    @pytest.fixture(scope="class")
    @classmethod
    def shared(cls, django_db_setup, django_db_blocker):
        yield from built_once(django_db_blocker, cls.build)

    @pytest.fixture
    def own(self, shared):
        return own_copy(shared)


def _shared_fixture(key: str):
    def fixture(self, own):
        return own[key]

    fixture.__name__ = key
    return pytest.fixture(name=key)(fixture)


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


@contextlib.contextmanager
def plain_pack_pdfs_context():
    """Within the block, a review pack's PDFs are small real PDFs instead of WeasyPrint prints.

    Why: printing a pack costs ~0.5 s per language, ~1.5 s per frozen version, and most tests that
    freeze a version (sign-off, access and 404s, altered files, frozen-ness, the XLSX, the admin page
    and its job, the access walk's world) never look inside the PDF. The printing itself is tested by
    the test that reads the PDFs (tests/reports/test_versions.py, ``TestOneVersion``: headings as
    text, fonts embedded). Everything after the printing still runs for real: the bytes are a valid
    one-page PDF (``sample_pdf_bytes``) whose title names the pack, the language and a digest of the
    pack's HTML, so different languages or data give different files; they are hashed, stored, read
    back verified and downloaded as printed ones are.

    Patches ``kitb_portal.reports.render.render_pdf``, which ``version_freeze`` calls through the
    module (``render.render_pdf``), and restores it on leaving; usable around a package- or
    session-scoped build, where the function-scoped ``monkeypatch`` is not. Yields the list of
    ``(title, language)`` printed; if the block printed none it fails, as the call site must have
    moved and the patch no longer takes effect."""
    import hashlib

    from kitb_portal.common.pdf import sample_pdf_bytes
    from kitb_portal.reports import render

    printed = []

    def plain_pdf(body_html: str, *, title: str, language: str) -> bytes:
        printed.append((title, language))
        digest = hashlib.sha256(body_html.encode("utf-8")).hexdigest()[:16]
        return sample_pdf_bytes(f"{title} [{language}] {digest}")

    real = render.render_pdf
    render.render_pdf = plain_pdf
    try:
        yield printed
    finally:
        render.render_pdf = real
    assert printed, "plain_pack_pdfs: no pack PDF went through kitb_portal.reports.render.render_pdf; did its call site move?"
