"""An index added to a table that grows (the audit log) is built without stopping its
writes on PostgreSQL: `CREATE INDEX CONCURRENTLY`, outside a transaction. Elsewhere
(SQLite) a plain index."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)  # sqlmigrate outside a transaction


def _sql(app: str, migration: str) -> str:
    out = StringIO()
    call_command("sqlmigrate", app, migration, stdout=out)
    return out.getvalue()


def test_the_audit_actor_index_does_not_lock_the_audit_log_while_it_builds() -> None:
    sql = _sql("core", "0004")

    assert '"tenants_audit_actor"' in sql
    if connection.vendor == "postgresql":
        assert "CREATE INDEX CONCURRENTLY" in sql
        assert "BEGIN;" not in sql  # CONCURRENTLY cannot run inside a transaction
    else:
        assert "CREATE INDEX" in sql and "CONCURRENTLY" not in sql


def test_the_index_exists_once_migrated() -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "tenants_auditevent")

    assert constraints["tenants_audit_actor"]["index"]
