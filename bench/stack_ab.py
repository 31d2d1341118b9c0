"""What running requests in a roomy stack chunk saves (core/stack_room.py).

CPython 3.11 maps and unmaps a 16 KB chunk of frame stack each time a call crosses a
chunk's edge (CPython gh-142183); our pages' templates call in and out across the first
chunk's edge thousands of times per page. gunicorn's workers now run their request loop
through `core.stack_room.run_with_stack_room` (config/gunicorn.conf.py).

One process seeds what bench.page_cpu seeds and times each page in 16 interleaved
rounds of two variants: "as called" runs each round's N requests from this script's own
shallow stack, as a worker did before; "roomy" runs the same round inside
`run_with_stack_room`, as a worker does now. Median CPU ms per request.

First, each page's deepest point in frame-stack words (the room must hold it: about 8,970
words); then, for the org dashboard, the same template and context rendered inside the
request and again right after it, both ways: the in-request penalty this removes.

    python -m bench.stack_ab [N]     # N requests per round (default 40)
    PAGE_CPU_ONLY=healthz,devices python -m bench.stack_ab

Same settings and environment as bench.page_cpu (DATABASE_URL, REDIS_URL).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

from bench import page_cpu
from core.stack_room import run_with_stack_room


def _ab(app: Callable[..., Iterable[bytes]], environ: dict[str, Any], n: int) -> dict[str, float]:
    variants: list[tuple[str, Callable[[], None]]] = [("as called", _none), ("roomy", _none)]
    return page_cpu.interleaved(app, environ, n, variants, around={"roomy": run_with_stack_room})


def _none() -> None:
    """Nothing to switch: the two variants differ only in where their rounds run."""


def _frame_words(code: Any) -> int:
    """About what CPython 3.11 reserves for a frame of `code`: its locals, cells and free
    variables, its value stack, and nine words of frame header."""
    return code.co_nlocals + len(code.co_cellvars) + len(code.co_freevars) + code.co_stacksize + 9


def _peak_words(app: Callable[..., Iterable[bytes]], environ: dict[str, Any], n: int) -> str:
    """The most frame-stack words any call of one request sits on, counted from the
    request's own entry (this function's caller's frames excluded)."""
    page_cpu.request(app, environ)
    base = sys._getframe()
    peak = [0, 0]

    def on_call(frame: Any, event: str, arg: Any) -> None:
        if event != "call":
            return
        words, depth = 0, 0
        while frame is not None and frame is not base:
            words, depth, frame = words + _frame_words(frame.f_code), depth + 1, frame.f_back
        if words > peak[0]:
            peak[:] = [words, depth]

    sys.setprofile(on_call)
    try:
        page_cpu.request(app, environ)
    finally:
        sys.setprofile(None)
    return f"{peak[0]:,} words ({peak[0] * 8 / 1024:.1f} KB), {peak[1]} frames deep"


def _inside_and_after(
    app: Callable[..., Iterable[bytes]], environ: dict[str, Any], n: int
) -> tuple[float, float]:
    """The template's CPU ms rendered by the view, and the same rendered after the request."""
    from django.template.backends.django import Template

    render = Template.render
    inside: list[float] = []
    last: dict[str, Any] = {}

    def timed(self: Template, context: Any = None, request: Any = None) -> Any:
        last.update(args=(self, context, request))
        start = time.process_time()
        html = render(self, context, request)
        inside.append(time.process_time() - start)
        return html

    for _ in range(50):
        page_cpu.request(app, environ)
    Template.render = timed  # type: ignore[method-assign,assignment]
    try:
        for _ in range(n):
            page_cpu.request(app, environ)
    finally:
        Template.render = render  # type: ignore[method-assign]
    start = time.process_time()
    for _ in range(n):
        render(*last["args"])
    return sum(inside) * 1000 / n, (time.process_time() - start) * 1000 / n


def _inside_and_after_both(
    app: Callable[..., Iterable[bytes]], environ: dict[str, Any], n: int
) -> list[str]:
    lines = []
    for name, run in [
        ("as called", lambda: _inside_and_after(app, environ, n)),
        ("roomy", lambda: run_with_stack_room(lambda: _inside_and_after(app, environ, n))),
    ]:
        inside, after = run()
        lines.append(f"{name:>9}: template in the request {inside:.3f} ms, after it {after:.3f} ms")
    return lines


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 40
    page_cpu.collect_static()
    only = os.environ.get("PAGE_CPU_ONLY", "")
    print("deepest point of one request, from the WSGI handler down:")
    for name, line in page_cpu._pacetrack(1, measure=_peak_words, room=False).items():
        print(f"  {name:<20} {line}")
    os.environ["PAGE_CPU_ONLY"] = "org dashboard"
    for name, lines in page_cpu._pacetrack(200, measure=_inside_and_after_both, room=False).items():
        print(name)
        for line in lines:
            print(f"  {line}")
    os.environ["PAGE_CPU_ONLY"] = only
    page_cpu.print_ab(page_cpu._pacetrack(n, measure=_ab, room=False), "as called", "roomy")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
