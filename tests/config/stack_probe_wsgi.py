"""A WSGI app for tests/config/test_gunicorn.py: answers whether it was called from inside
`core.stack_room.run_with_stack_room`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any

from core import stack_room


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    frame = sys._getframe()
    while frame is not None and frame.f_code is not stack_room._call.__code__:
        frame = frame.f_back
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"in the room" if frame is not None else b"outside"]
