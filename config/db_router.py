"""Database routing with a read replica (`DATABASE_REPLICA_URL`, docs/scaling.md).

Reads go to the replica only where code asks for it explicitly
(`.using(core.replica.replica_alias(request))`); this router makes sure the rest
cannot go wrong: every write goes to the primary, even for an object that was read
from the replica, and migrations run on the primary only (the replica copies them).
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, models


class PrimaryReplicaRouter:
    def db_for_read(self, model: type[models.Model], **hints: Any) -> str | None:
        # None: Django's default (the instance's own database, else the primary).
        return None

    def db_for_write(self, model: type[models.Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: models.Model, obj2: models.Model, **hints: Any) -> bool:
        # The replica holds the primary's rows: objects from either may be related.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
