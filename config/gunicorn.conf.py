"""gunicorn settings: `gunicorn -c config/gunicorn.conf.py config.wsgi` (the Dockerfile,
`make bench` through bench/lib.py, `make cluster`). Options on the command line win.

- `preload_app`: Django is imported and set up once, in the master, before the workers
  are forked: a worker (and a worker restarted after a crash) starts at once, and the
  workers share the imported code's memory pages until they write to them.
- `gc.freeze()` in the master once the app is loaded: everything imported so far (modules,
  settings, URL patterns, compiled regexes) moves to the collector's permanent
  generation, so the workers' full collections no longer walk it, and do not touch
  (copy) those shared pages either. docs/performance.md has the measurement.
- `post_worker_init` runs each worker's request loop through
  `core.stack_room.run_with_stack_room`: in a stack chunk with room for any page, so
  CPython 3.11 does not map and unmap stack memory on every template node's call (the
  module's docstring; `python -m bench.stack_ab` measures it).
- Nothing may hold a connection across the fork (two workers on one socket): Django and
  the cache connect lazily, and `when_ready` closes anything that did connect anyway.
"""

from __future__ import annotations

import gc
import os
from typing import Any

wsgi_app = "config.wsgi"
preload_app = True
worker_class = "sync"
# 2 sync workers per core was the fastest on the 2-core bench box (docs/performance.md);
# WEB_CONCURRENCY or --workers sets another number.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))


# The access log writes each request's path; a password-reset or sign-up link's token
# is in it (config/gunicorn_logging.py takes it out).
logger_class = "config.gunicorn_logging.TokenRedactingLogger"
# gunicorn's own format and, last, the response's request id: the id on the app's log
# lines of the same request (core/request_id.py).
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({x-request-id}o)s'
)


def when_ready(server: Any) -> None:
    """In the master, after the app is loaded and before the first fork."""
    from django.db import connections

    connections.close_all()
    gc.collect()
    gc.freeze()


def post_worker_init(worker: Any) -> None:
    """In each worker, just before its request loop starts (gunicorn calls `run` next)."""
    from core.stack_room import run_with_stack_room

    loop = worker.run
    worker.run = lambda: run_with_stack_room(loop)
