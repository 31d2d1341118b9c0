"""Count SQL queries, Redis round trips and storage I/O per request, in-process.

Runs the real middleware stack through Django's test client with the same
environment as the gunicorn instances (production settings, PostgreSQL, Redis, S3)
and real session cookies from bench/prepare.py:

- SQL: every statement sent, via `connection.execute_wrapper` (and which of them write);
- Redis: every write to a Redis socket (`send_packed_command`; a pipeline or one
  Lua script is one round trip), which is what the latency costs;
- storage: every HTTP request botocore makes, plus FileSystemStorage opens.

The dashboard is counted twice: against the full session table, and inside a
transaction where all but 10 session rows are deleted (rolled back afterwards),
to show the count does not depend on the table size.

Usage: `python -m bench.querycount prepared.json` -> JSON on stdout.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bench.seed import setup_django


class Counts:
    def __init__(self) -> None:
        self.sql = 0
        self.writes = 0
        self.redis = 0
        self.storage = 0
        self.sql_before_view = 0
        self.redis_before_view = 0
        self.statements: list[str] = []


@contextmanager
def counting() -> Iterator[Counts]:
    from django.core.files.storage import FileSystemStorage
    from django.db import connection

    counts = Counts()
    patches: list[tuple[Any, str, Any]] = []

    def patch(owner: Any, name: str, make: Callable[[Any], Any]) -> None:
        original = getattr(owner, name)
        patches.append((owner, name, original))
        setattr(owner, name, make(original))

    def sql_wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        counts.sql += 1
        if sql.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            counts.writes += 1
        counts.statements.append(sql[:160])
        return execute(sql, params, many, context)

    try:
        import redis.connection

        def redis_send(original: Any) -> Any:
            def send_packed_command(self: Any, *args: Any, **kwargs: Any) -> Any:
                counts.redis += 1
                return original(self, *args, **kwargs)

            return send_packed_command

        patch(redis.connection.AbstractConnection, "send_packed_command", redis_send)
    except ImportError:
        pass
    try:
        import botocore.endpoint

        def boto_send(original: Any) -> Any:
            def make_request(self: Any, *args: Any, **kwargs: Any) -> Any:
                counts.storage += 1
                return original(self, *args, **kwargs)

            return make_request

        patch(botocore.endpoint.Endpoint, "make_request", boto_send)
    except ImportError:
        pass

    def fs_io(original: Any) -> Any:
        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            counts.storage += 1
            return original(self, *args, **kwargs)

        return method

    for name in ("_open", "exists", "size"):
        patch(FileSystemStorage, name, fs_io)

    # The handler wraps the view right after every process_view hook has run: what was
    # counted by then is the per-request overhead (session, user, tenant, rate limit).
    from django.core.handlers.base import BaseHandler

    def view_marker(original: Any) -> Any:
        def make_view_atomic(self: Any, view: Any) -> Any:
            wrapped = original(self, view)

            def marked(*args: Any, **kwargs: Any) -> Any:
                counts.sql_before_view = counts.sql
                counts.redis_before_view = counts.redis
                return wrapped(*args, **kwargs)

            return marked

        return make_view_atomic

    patch(BaseHandler, "make_view_atomic", view_marker)
    try:
        with connection.execute_wrapper(sql_wrapper):
            yield counts
    finally:
        for owner, name, original in reversed(patches):
            setattr(owner, name, original)


def measure(
    client: Any, path: str, *, n: int, headers: dict[str, str] | None = None, expect: int
) -> dict[str, Any]:
    """Warm once, then count n requests; per-request lists and the statuses seen."""
    client.get(path, headers=headers or {})
    per: dict[str, list[int]] = {
        "sql": [],
        "writes": [],
        "redis": [],
        "storage": [],
        "sql_before_view": [],
        "redis_before_view": [],
    }
    statuses: set[int] = set()
    statements: list[str] = []
    for _ in range(n):
        with counting() as c:
            response = client.get(path, headers=headers or {})
        statuses.add(response.status_code)
        per["sql"].append(c.sql)
        per["writes"].append(c.writes)
        per["redis"].append(c.redis)
        per["storage"].append(c.storage)
        per["sql_before_view"].append(c.sql_before_view)
        per["redis_before_view"].append(c.redis_before_view)
        statements = c.statements
    return {
        "path": path,
        "n": n,
        "statuses": sorted(statuses),
        "ok": statuses == {expect},
        **{f"{k}_median": statistics.median(v) for k, v in per.items()},
        **{f"{k}_max": max(v) for k, v in per.items()},
        "last_statements": statements,
    }


def main(argv: list[str] | None = None) -> int:
    args = argv or sys.argv[1:]
    prepared = json.loads(open(args[0]).read())  # noqa: SIM115
    n = int(args[1]) if len(args) > 1 else 20
    setup_django()
    from django.apps import apps
    from django.db import connection, transaction
    from django.test import Client

    # An identity signed in on 20 browsers (bench/prepare.py), so the devices page is full.
    ident = next(x for x in prepared["identities"][1:] if x["devices"] > 1)
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_FOR="10.200.0.1")
    client.cookies[prepared["cookie_name"]] = ident["cookie"]
    dashboard = f"/t/{ident['org_slug']}/"
    result: dict[str, Any] = {
        "dashboard": measure(client, dashboard, n=n, expect=200),
        "personal": measure(client, f"/t/{ident['slug']}/", n=n, expect=200),
        "devices": measure(client, "/account/sessions/", n=n, expect=200),
        **(
            {
                "api_members": measure(
                    Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_FOR="10.200.0.2"),
                    "/api/v1/members",
                    n=n,
                    headers={"Authorization": f"Bearer {ident['api_key']}"},
                    expect=200,
                )
            }
            if ident.get("api_key")
            else {}
        ),
        "healthz": measure(client, "/healthz/", n=n, expect=200),
    }
    avatar = prepared.get("avatar") or {}
    if avatar.get("status") == "ok":
        result["serve"] = measure(client, avatar["path"], n=n, expect=200)
        result["serve_inm"] = measure(
            client, avatar["path"], n=n, headers={"If-None-Match": avatar["etag"]}, expect=304
        )
    try:
        session_model = apps.get_model("sessions_app", "Session")
    except LookupError:
        session_model = None
    if session_model is not None and hasattr(session_model, "token_hash"):
        table = session_model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            result["session_rows_full"] = cursor.fetchone()[0]
        from sessions_app.tokens import token_hash, token_unsign

        # Keep the row behind the client's cookie, found by its token: "the user's newest
        # row" was not always it (one run in three here measured signed-out 302s; the
        # sign-in load (5) can sign the same account in again).
        token = token_unsign(client.cookies[prepared["cookie_name"]].value)
        if token is None:
            raise SystemExit("the identity's session cookie no longer verifies")
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Keep the identity's session and the 9 oldest others.
                cursor.execute(
                    f"DELETE FROM {table} WHERE token_hash <> %s AND id NOT IN "  # noqa: S608
                    f"(SELECT id FROM {table} ORDER BY id LIMIT 9)",
                    [token_hash(token)],
                )
                cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
                result["session_rows_small"] = cursor.fetchone()[0]
            result["dashboard_small"] = measure(client, dashboard, n=n, expect=200)
            transaction.set_rollback(True)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
