"""Each test function runs from a frame with stack room reserved (tests/conftest.py), on the CPython
versions that map a frame chunk each time a call crosses one."""
from __future__ import annotations

import sys

import pytest

from tests import conftest


@pytest.mark.skipif(sys.version_info >= (3, 13), reason="CPython 3.13 keeps a spare chunk: nothing is reserved")
def test_this_test_is_called_from_the_frame_with_room():
    frame, callers = sys._getframe(), []
    while frame is not None:
        callers.append((frame.f_code.co_name, frame.f_code.co_stacksize))
        frame = frame.f_back
    assert ("_call", conftest._STACK_SLOTS) in callers, callers[:6]  # the frame the conftest built


def test_the_frame_with_room_returns_what_it_calls_and_lets_errors_through():
    assert conftest._call_with_stack_room(lambda a, b: a + b, 2, 3) == 5

    def fails():
        raise LookupError("boom")

    with pytest.raises(LookupError, match="boom"):
        conftest._call_with_stack_room(fails)
