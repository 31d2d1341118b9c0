"""Keeps the SQLite copy of the `tenants_tenant.kind` trigger in place.

Migration 0003 creates the trigger on both vendors. SQLite has no ALTER TABLE for
most changes, so Django rebuilds the table (and silently drops its triggers) when
a later migration alters it; re-creating it after every migrate closes that gap.
"""

from __future__ import annotations

from typing import Any

from django.db import connections

SQLITE_KIND_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS tenants_tenant_kind_immutable
    BEFORE UPDATE OF kind ON tenants_tenant
    FOR EACH ROW WHEN NEW.kind IS NOT OLD.kind
BEGIN
    SELECT RAISE(ABORT, 'tenants_tenant.kind is immutable');
END;
"""


SQLITE_AUDIT_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS tenants_auditevent_immutable
    BEFORE UPDATE ON tenants_auditevent
BEGIN
    SELECT RAISE(ABORT, 'tenants_auditevent rows are immutable');
END;
"""


def ensure_sqlite_kind_trigger(*, using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver: idempotently (re)create the trigger on SQLite."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    if "tenants_tenant" not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        cursor.execute(SQLITE_KIND_TRIGGER)
        # The audit log's UPDATE guard (migration 0004), dropped by rebuilds the same way.
        if "tenants_auditevent" in connection.introspection.table_names():
            cursor.execute(SQLITE_AUDIT_TRIGGER)
