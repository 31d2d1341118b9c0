"""Migration operations of our own, for tables that grow large in production."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


class AddIndexWithoutLocking(AddIndexConcurrently):
    """`CREATE INDEX CONCURRENTLY` on PostgreSQL: a plain one holds a lock that stops
    every write to the table while it builds (on the audit log, every audited action
    would wait for the deploy). A plain AddIndex on other databases (SQLite in `make run`
    and the default tests). The migration must say `atomic = False`. A concurrent build
    that fails leaves an INVALID index: drop it and migrate again."""

    def database_forwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, *args)
        else:
            migrations.AddIndex.database_forwards(self, app_label, schema_editor, *args)

    def database_backwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, *args)
        else:
            migrations.AddIndex.database_backwards(self, app_label, schema_editor, *args)
