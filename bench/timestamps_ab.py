"""What parsing timestamps with psycopg's compiled loader saves each page.

Django's PostgreSQL backend parses every `timestamptz` of every row in Python (its
loader subclasses psycopg's pure-Python one); `core.db.postgresql` hands them to
psycopg's compiled loader instead (its module docstring has why and how).

Like bench.lookups_ab, one process seeds what bench.page_cpu seeds and times each page
in 16 interleaved rounds of the two variants, swapping the loader on the open
connection: "django" registers Django's own, "compiled" ours. Median CPU ms per
request. PostgreSQL only (on SQLite there is nothing to swap).

    python -m bench.timestamps_ab [N]     # N requests per round (default 40)
    PAGE_CPU_ONLY=devices,"api members" python -m bench.timestamps_ab

Same settings and environment as bench.page_cpu (DATABASE_URL, REDIS_URL).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

from bench import page_cpu


def _ab(app: Callable[..., Iterable[bytes]], environ: dict[str, Any], n: int) -> dict[str, float]:
    from django.db import connection
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    from core.db.postgresql.base import TIMESTAMPTZ_OID, UtcTimestamptzLoader

    connection.ensure_connection()
    adapters = connection.connection.adapters

    def django_loader() -> None:
        register_tzloader(dt.UTC, connection.connection)

    def compiled_loader() -> None:
        adapters.register_loader(TIMESTAMPTZ_OID, UtcTimestamptzLoader)

    variants = [("django", django_loader), ("compiled", compiled_loader)]
    try:
        return page_cpu.interleaved(app, environ, n, variants)
    finally:
        compiled_loader()


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 40
    page_cpu.collect_static()
    os.environ.setdefault(
        "PAGE_CPU_ONLY", "healthz,devices,org dashboard,personal dashboard,api members"
    )
    results = page_cpu._pacetrack(n, measure=_ab)
    page_cpu.print_ab(results, "django", "compiled")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
