"""What each middleware adds to `/healthz/`, measured by taking it out.

Issue 22 holds `/healthz/` through the whole stack to 0.85x a bare view under Django's
stock middleware: middleware with nothing to do must cost next to nothing. This shows
where the difference goes. One process seeds what bench.page_cpu seeds and builds one
handler per variant: the whole `MIDDLEWARE`, and the whole list without one of them. A
variant whose `/healthz/` no longer answers 200 (the session middleware, which the
authentication middleware requires) is left out and named. Each variant's chain is
swapped into one handler and timed in 16 interleaved rounds (`page_cpu.interleaved`), so
the machine's drift falls on every variant alike. Median CPU µs per request; "costs" is
what the request saves without that middleware (noise: a few µs on a quiet machine,
over 10 µs on others: run it three times, docs/performance.md).

    python -m bench.middleware_cost [N]     # N requests per round (default 400)

Same settings and environment as bench.page_cpu (DATABASE_URL, REDIS_URL).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

from bench import page_cpu

# What BaseHandler.load_middleware sets: swapping these swaps the whole stack.
_CHAIN = (
    "_middleware_chain",
    "_view_middleware",
    "_template_response_middleware",
    "_exception_middleware",
)


def _status(handler: Callable[..., Iterable[bytes]], environ: dict[str, Any]) -> str:
    """The status line `/healthz/` gets from `handler`, or the exception it raised."""
    statuses: list[str] = []
    logging.disable(logging.ERROR)  # the 500 of a variant that cannot answer is expected
    try:
        page_cpu.request(handler, environ, lambda status, *args: statuses.append(status))
    except Exception as error:  # a middleware another one requires
        return type(error).__name__
    finally:
        logging.disable(logging.NOTSET)
    return statuses[0]


def _costs(app: Callable[..., Iterable[bytes]], environ: dict[str, Any], n: int) -> list[str]:
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings

    whole = list(settings.MIDDLEWARE)
    chains: dict[str, dict[str, Any]] = {"whole stack": {a: getattr(app, a) for a in _CHAIN}}
    left_out = []
    for path in whole:
        with override_settings(MIDDLEWARE=[m for m in whole if m != path]):
            handler = WSGIHandler()
        status = _status(handler, environ)
        if status == "200 OK":
            chains[path] = {a: getattr(handler, a) for a in _CHAIN}
        else:
            left_out.append(f"{path} (without it: {status})")

    def use(name: str) -> Callable[[], None]:
        return lambda: app.__dict__.update(chains[name])

    try:
        times = page_cpu.interleaved(app, environ, n, [(name, use(name)) for name in chains])
    finally:
        use("whole stack")()
    base = times["whole stack"]
    lines = [f"{'middleware taken out':<58} {'µs/request':>10} {'costs µs':>9}"]
    for name, ms in sorted(times.items(), key=lambda item: item[1]):
        lines.append(f"{name:<58} {ms * 1000:>10.1f} {(base - ms) * 1000:>9.1f}")
    lines += [f"not measured: {item}" for item in left_out]
    return lines


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 400
    page_cpu.collect_static()
    os.environ["PAGE_CPU_ONLY"] = "healthz"
    for line in page_cpu._pacetrack(n, measure=_costs)["healthz"]:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
