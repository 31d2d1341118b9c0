"""gunicorn settings: `gunicorn -c config/gunicorn.conf.py config.wsgi` (the Dockerfile,
`make bench` through bench/lib.py, `make cluster`). Options on the command line win.

- `preload_app`: Django is imported and set up once, in the master, before the workers
  are forked: a worker (and a worker restarted after a crash) starts at once, and the
  workers share the imported code's memory pages until they write to them.
- `gc.freeze()` in the master once the app is loaded: everything imported so far (modules,
  settings, URL patterns, compiled regexes) moves to the collector's permanent
  generation, so the workers' full collections no longer walk it, and do not touch
  (copy) those shared pages either. docs/performance.md has the measurement.
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


def when_ready(server: Any) -> None:
    """In the master, after the app is loaded and before the first fork."""
    from django.db import connections

    connections.close_all()
    gc.collect()
    gc.freeze()
