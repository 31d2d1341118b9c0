"""Seed a realistic volume for the benchmark, fast, with PostgreSQL COPY.

10,000 users (each with the personal tenant, billing account, built-in roles and
owner membership that sign-up creates), 1,000 organisations, 50,000 memberships in
total and 200,000 sessions (both Pacetrack's `sessions_app` rows and, for the
stock-Django reference page, `django_session` rows). Rows are written with COPY in
a few seconds instead of one ORM round trip each; columns are taken from the
models, so fields added later get their model defaults. Re-running is a no-op
when the volume is already there.

Usage: `python -m bench.seed [--users N --orgs N --memberships N --sessions N]`.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

SEED_DOMAIN = "bench.pacetrack.test"
SEED_PASSWORD = "bench-password-2026"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _column_value(field: Any, now: Any) -> Any:
    """A value for a column the seed does not set explicitly: the model default."""
    from django.db import models

    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.has_default():
        value = field.get_default()
    elif field.null:
        return None
    elif isinstance(field, models.DateTimeField):
        value = now
    elif isinstance(field, models.BooleanField):
        value = False
    elif isinstance(field, (models.IntegerField, models.FloatField, models.DecimalField)):
        value = 0
    else:
        value = ""
    if isinstance(field, models.JSONField):
        return json.dumps(value)
    return value


def copy_rows(model: Any, rows: Iterable[dict[str, Any]]) -> int:
    """COPY `rows` (dicts keyed by column name) into the model's table; unset columns
    get the model's default. Returns the number of rows written."""
    from django.db import connection, models
    from django.utils import timezone

    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields]
    columns = [f.column for f in fields]
    json_columns = {f.column for f in fields if isinstance(f, models.JSONField)}
    defaults = {f.column: _column_value(f, now) for f in fields if f.column != "id"}
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    connection.ensure_connection()
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy,
    ):
        for row in rows:
            values = []
            for column in columns:
                if column in row:
                    value = row[column]
                    if column in json_columns and not isinstance(value, str):
                        value = json.dumps(value)
                else:
                    value = defaults.get(column)
                values.append(value)
            copy.write_row(values)
            count += 1
    return count


def _next_ids(model: Any) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")  # noqa: S608
        return cursor.fetchone()[0] + 1


def _reset_sequence(model: Any) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)


def seed_present(users: int) -> bool:
    from accounts.models import User

    return User.objects.filter(email__endswith=f"@{SEED_DOMAIN}").count() >= users


def seed(*, users: int, orgs: int, memberships: int, sessions: int, log: Callable) -> None:
    """Write the volume in one transaction (all or nothing)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from billing.models import Account
    from tenants.models import Membership, Role, Tenant
    from tenants.permissions import BUILTIN_ROLES

    now = timezone.now()
    # One Argon2 hash shared by every seeded user: hashing 10,000 passwords would
    # take minutes and measures nothing.
    password = make_password(SEED_PASSWORD)
    with transaction.atomic():
        uid0, aid0, tid0, rid0, mid0 = (
            _next_ids(m) for m in (User, Account, Tenant, Role, Membership)
        )
        t = time.monotonic()
        copy_rows(
            User,
            (
                {
                    "id": uid0 + i,
                    "email": f"user{i}@{SEED_DOMAIN}",
                    "name": f"Bench User {i}",
                    "password": password,
                    "email_verified_at": now,
                    "is_active": True,
                    "date_joined": now,
                }
                for i in range(users)
            ),
        )
        n_tenants = users + orgs
        copy_rows(
            Account,
            ({"id": aid0 + i, "name": f"Bench account {i}"} for i in range(n_tenants)),
        )

        def tenant_row(i: int) -> dict[str, Any]:
            personal = i < users
            return {
                "id": tid0 + i,
                "name": f"Bench User {i}'s workspace" if personal else f"Bench Org {i - users}",
                "slug": f"bench-user-{i}" if personal else f"bench-org-{i - users}",
                "kind": "personal" if personal else "org",
                "personal_owner_id": uid0 + i if personal else None,
                "account_id": aid0 + i,
            }

        copy_rows(Tenant, (tenant_row(i) for i in range(n_tenants)))
        role_keys = list(BUILTIN_ROLES)
        copy_rows(
            Role,
            (
                {
                    "id": rid0 + i * len(role_keys) + k,
                    "tenant_id": tid0 + i,
                    "key": key,
                    "name": BUILTIN_ROLES[key][0],
                    "permissions": list(BUILTIN_ROLES[key][1]),
                }
                for i in range(n_tenants)
                for k, key in enumerate(role_keys)
            ),
        )

        def role_id(tenant_index: int, key: str) -> int:
            return rid0 + tenant_index * len(role_keys) + role_keys.index(key)

        def membership_rows() -> Iterable[dict[str, Any]]:
            mid = mid0
            for i in range(users):  # every user owns their personal tenant
                yield {
                    "id": mid,
                    "user_id": uid0 + i,
                    "tenant_id": tid0 + i,
                    "role_id": role_id(i, "owner"),
                    "is_primary_contact": True,
                    "is_billing_contact": True,
                }
                mid += 1
            extra = max(memberships - users, 0)
            per_org = max(extra // max(orgs, 1), 1)
            written = 0
            for o in range(orgs):
                tenant_index = users + o
                for j in range(per_org):
                    if written >= extra:
                        return
                    # Distinct users per org: a stride through all users.
                    user_index = (o * 7919 + j) % users
                    key = "owner" if j == 0 else ("admin" if j < 3 else "member")
                    yield {
                        "id": mid,
                        "user_id": uid0 + user_index,
                        "tenant_id": tid0 + tenant_index,
                        "role_id": role_id(tenant_index, key),
                        "is_primary_contact": j == 0,
                        "is_billing_contact": j == 0,
                    }
                    mid += 1
                    written += 1

        copy_rows(Membership, membership_rows())
        for model in (User, Account, Tenant, Role, Membership):
            _reset_sequence(model)
        log(f"seeded {users} users, {n_tenants} tenants in {time.monotonic() - t:.1f}s")
        seed_sessions(count=sessions, first_user=uid0, users=users, log=log)


def seed_sessions(*, count: int, first_user: int, users: int, log: Callable) -> None:
    """Filler sessions (valid rows whose tokens nobody holds): Pacetrack's and stock."""
    from django.apps import apps
    from django.utils import timezone

    now = timezone.now()
    t = time.monotonic()
    if apps.is_installed("sessions_app") and _has_model("sessions_app", "Session"):
        model = apps.get_model("sessions_app", "Session")
        columns = {f.column for f in model._meta.concrete_fields}
        if {"token_hash", "user_id", "expires_at"} <= columns:
            sid0 = _next_ids(model)
            copy_rows(
                model,
                (
                    {
                        "id": sid0 + i,
                        "user_id": first_user + (i % users),
                        "token_hash": secrets.token_hex(32),
                        "created_at": now,
                        "last_activity_at": now,
                        "expires_at": now + timedelta(days=30),
                        "ip_address": "127.0.0.1",
                        "user_agent": "bench/1.0",
                        "device": "Bench",
                        "data": {},
                    }
                    for i in range(count)
                ),
            )
            _reset_sequence(model)
            log(f"seeded {count} sessions_app sessions in {time.monotonic() - t:.1f}s")
        else:
            log("sessions_app.Session has no token_hash/user/expires_at: filler skipped")
    else:
        log("sessions_app.Session not installed yet: Pacetrack session filler skipped")
    if apps.is_installed("django.contrib.sessions"):
        from django.contrib.sessions.models import Session as StockSession

        t = time.monotonic()
        copy_rows(
            StockSession,
            (
                {
                    "session_key": secrets.token_hex(16) + f"{i:08x}",
                    "session_data": "e30:filler",
                    "expire_date": now + timedelta(days=30),
                }
                for i in range(count)
            ),
        )
        log(f"seeded {count} django_session rows in {time.monotonic() - t:.1f}s")


def _has_model(app_label: str, name: str) -> bool:
    from django.apps import apps

    try:
        apps.get_model(app_label, name)
    except LookupError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--orgs", type=int, default=1_000)
    parser.add_argument("--memberships", type=int, default=50_000)
    parser.add_argument("--sessions", type=int, default=200_000)
    args = parser.parse_args(argv)
    setup_django()

    def log(msg: str) -> None:
        print(f"[seed] {msg}", flush=True)

    if seed_present(args.users):
        log("bench volume already present: re-using it")
    else:
        seed(
            users=args.users,
            orgs=args.orgs,
            memberships=args.memberships,
            sessions=args.sessions,
            log=log,
        )
    analyze(log=log)
    return 0


def analyze(*, log: Callable) -> None:
    """Refresh planner statistics. Rows loaded with COPY have none until autovacuum gets
    to them, and with prepared statements PostgreSQL then keeps a generic plan built
    for an "empty" table (a sequential scan of every tenant per request)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log("ANALYZE done")


if __name__ == "__main__":
    sys.exit(main())
