"""Migrations: the models need no new one, and every migration runs backwards.

README's "Upgrading and rolling back" promises that a release is rolled back by
migrating to the previous release's migrations; that holds only while each migration
has a way back (a RunPython without `reverse_code` or a RunSQL without its reverse
would stop the rollback half-way, on the production database)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.config.test_settings import _manage

# Unapplies every migration of our own apps (those inside the repository), newest
# first, then lists what is left of them. Libraries' migrations are theirs to keep
# reversible (django-tasks' 0013 is not) and a rollback of ours never crosses them.
UNDO_OURS = """
from pathlib import Path
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
root = Path.cwd().resolve()
ours = sorted(
    c.label for c in apps.get_app_configs()
    if Path(c.path).resolve().parent == root  # not the virtualenv's site-packages
)
executor = MigrationExecutor(connection)
executor.migrate([(label, None) for label in ours])
executor.loader.build_graph()
print("APPLIED", sorted(m for m in executor.loader.applied_migrations if m[0] in ours))
tables = set(connection.introspection.table_names())
models = [m._meta.db_table for label in ours for m in apps.get_app_config(label).get_models()]
print("TABLES", sorted(t for t in models if t in tables))
print("OURS", ours)
"""


@pytest.mark.django_db
def test_the_models_need_no_migration_that_is_not_written() -> None:
    """A model change merged without its migration works in tests (they build the
    schema from migrations… and fail) or, worse, ships a column the code expects."""
    try:
        call_command("makemigrations", "--check", "--dry-run", verbosity=0)
    except SystemExit as exit_:  # makemigrations --check exits 1 when one is missing
        pytest.fail(f"makemigrations --check found model changes without a migration ({exit_})")


@pytest.fixture
def empty_database() -> Iterator[str]:
    """A database of its own, of the suite's engine: PostgreSQL when DATABASE_URL says
    so (its triggers' reverse SQL differs from SQLite's), else an SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        name = f"pacetrack_migrations_{uuid.uuid4().hex[:10]}"
        base, _, _ = url.rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{base}/{name}"
        finally:
            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = Path(os.environ.get("TMPDIR", "/tmp")) / f"migrations-{uuid.uuid4().hex}.sqlite3"
        try:
            yield f"sqlite:///{path}"
        finally:
            path.unlink(missing_ok=True)


def _manage_ok(*args: str, database_url: str) -> str:
    """A command against `database_url` (tests/config/test_settings.py `_manage`): its
    output, once it succeeded."""
    result = _manage(*args, DATABASE_URL=database_url)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_every_migration_runs_backwards_to_an_empty_database_and_forwards_again(
    empty_database: str,
) -> None:
    _manage_ok("migrate", "--noinput", database_url=empty_database)

    undone = _manage_ok("shell", "-c", UNDO_OURS, database_url=empty_database)

    assert "'tenants'" in undone and "'accounts'" in undone, undone  # the apps were found
    assert "APPLIED []" in undone, undone
    assert "TABLES []" in undone, undone
    # The way back left nothing behind that the way forward trips on (a trigger, an index).
    _manage_ok("migrate", "--noinput", database_url=empty_database)


# Added as NOT NULL with only Django's default, before this rule: each added its column
# on a release where nothing old wrote the table yet, except uploads.0003, whose old
# release's uploads failed until uploads.0004 gave the column its database default.
NOT_NULL_WITHOUT_DB_DEFAULT_BEFORE_THE_RULE = {
    ("accounts", "0004_language_time_zone"),
    ("accounts", "0006_pending_signup_browser"),
    ("core", "0002_auditevent_actor_label"),
    ("mfa", "0003_device_parts"),
    ("sessions_app", "0004_device_parts"),
    ("sso", "0004_saml_connections"),
    ("sso", "0005_saml_metadata_url"),
    ("sso", "0006_connection_sync_teams_from_groups"),
    ("sso", "0007_saml_metadata_failing"),
    ("sso", "0008_saml_metadata_error_params"),
    ("tenants", "0001_initial"),
    ("tenants", "0013_membership_suspended_at_team_directory_managed"),
    ("tenants", "0014_teammember_via_sso"),
    ("uploads", "0003_upload_uploaded_by_label"),
    ("webhooks", "0001_initial"),
    ("webhooks", "0004_delivery_retries_from"),
}


def test_a_column_added_to_a_table_is_nullable_or_has_a_database_default() -> None:
    """README's rolling upgrade runs the old release against the new schema for a
    moment: its INSERTs leave a new column out, which a NOT NULL column refuses unless
    the database fills it (`db_default`; Django drops its own `default` from the table
    once the column is added). One such column made every upload of the old release a
    500 (uploads.0003)."""
    from django.apps import apps
    from django.db import migrations
    from django.db.migrations.loader import MigrationLoader
    from django.db.models import NOT_PROVIDED

    root = Path(settings.BASE_DIR).resolve()
    ours = {
        c.label for c in apps.get_app_configs() if Path(c.path).resolve().parent == root
    }  # not a library's (the virtualenv's site-packages)
    assert {"accounts", "tenants", "uploads"} <= ours  # found from any working directory
    loader = MigrationLoader(None, ignore_no_migrations=True)
    unsafe = []
    for (app, name), migration in loader.disk_migrations.items():
        if app not in ours:
            continue
        for operation in migration.operations:
            if not isinstance(operation, migrations.AddField):
                continue
            field = operation.field
            if field.null or field.many_to_many or field.db_default is not NOT_PROVIDED:
                continue
            if (app, name) not in NOT_NULL_WITHOUT_DB_DEFAULT_BEFORE_THE_RULE:
                unsafe.append(f"{app}.{name}: {operation.model_name}.{operation.name}")

    assert unsafe == [], "give these columns a db_default (or make them nullable)"
