"""The WSGI entry point runs each request from a frame with stack room reserved (CPython < 3.13)."""
from __future__ import annotations

import sys

import pytest

from kitb_portal.common import datastack


def _app(environ, start_response):
    start_response("200 OK", [])

    def depth(n):  # recursion as deep as template rendering, and deeper
        return 0 if n == 0 else 1 + depth(n - 1)

    return [str(depth(environ["depth"])).encode()]


def test_the_wrapped_application_answers_like_the_application():
    wrapped = datastack.with_stack_room(_app)
    statuses = []
    assert wrapped({"depth": 600}, lambda status, headers: statuses.append(status)) == [b"600"]
    assert statuses == ["200 OK"]


def test_errors_pass_through():
    def failing(environ, start_response):
        raise LookupError("boom")

    with pytest.raises(LookupError, match="boom"):
        datastack.with_stack_room(failing)({}, lambda *a: None)


@pytest.mark.skipif(not datastack.NEEDED, reason="only CPython before 3.13 needs the reserved room")
def test_the_calling_frame_reserves_the_slots():
    seen = {}

    def app(environ, start_response):
        caller = sys._getframe(1)
        seen["name"], seen["stacksize"] = caller.f_code.co_name, caller.f_code.co_stacksize
        return []

    datastack.with_stack_room(app)({}, lambda *a: None)
    assert seen == {"name": "_call", "stacksize": datastack.SLOTS}


def test_the_project_wsgi_application_is_wrapped_and_tunes_the_collector():
    import gc
    import importlib

    threshold = gc.get_threshold()
    try:
        from kitb_portal import wsgi

        importlib.reload(wsgi)
        assert wsgi.application.__qualname__.startswith("with_stack_room") == datastack.NEEDED
        assert gc.get_threshold() == (10_000, 20, 20) and gc.get_freeze_count() > 0
    finally:  # leave this test process's collector as it was
        gc.unfreeze()
        gc.set_threshold(*threshold)
