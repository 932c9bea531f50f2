"""Room on the interpreter's frame stack for a whole request (a work-around for CPython < 3.13).

CPython 3.11 and 3.12 keep Python frames in 16 KiB chunks; a chunk is ``mmap``-ed when a call
needs it and ``munmap``-ed as soon as the call returns. Django's template rendering recurses
deeply and goes back and forth across a chunk boundary hundreds of times per page: on this stack
that was about 1,000 ``mmap``/``munmap`` pairs (and their page faults) per admin page, some 7 ms
of system time, plus slower user time (CPython issue gh-142183, fixed in 3.13 and later by
keeping one spare chunk).

:func:`with_stack_room` calls the WSGI application from a frame that reserves ``slots`` value
slots (512 KiB): the interpreter gives that frame a chunk of its own, twice its size, and the
whole request runs in the other half, so no boundary is crossed during the request. One
allocation per request instead of a thousand. The reserved slots are never read or written.
"""

from __future__ import annotations

import sys
import types

#: Value slots (8 bytes each) the calling frame reserves: 512 KiB, a chunk of 1 MiB.
SLOTS = 64 * 1024
#: The interpreters that need it (the spare-chunk fix shipped in 3.13 and later releases).
NEEDED = sys.implementation.name == "cpython" and sys.version_info < (3, 13)


def _call(app, environ, start_response):
    return app(environ, start_response)


def with_stack_room(app, slots: int = SLOTS):
    """A WSGI application that runs ``app`` with ``slots`` of frame stack reserved beneath it."""
    if not NEEDED:
        return app
    call = types.FunctionType(_call.__code__.replace(co_stacksize=slots), _call.__globals__, "_call_with_stack_room")

    def application(environ, start_response):
        return call(app, environ, start_response)

    return application
