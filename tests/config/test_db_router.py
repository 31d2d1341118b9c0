"""Reads that may go to the replica go there, and nothing else does (core/replica.py,
config/db_router.py).

The replica here is a second real PostgreSQL database with the same schema and none
of the rows: a page that shows the primary's rows read the primary, one that shows
nothing read the replica. Real streaming replication, lag and failover are exercised
by `make cluster-test` (cluster/).
"""

from __future__ import annotations

import copy
import json
import shutil
import socket
import subprocess
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, router
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from core.models import AuditEvent
from core.replica import REPLICA, replica_alias, replica_health_forget, replica_usable
from sessions_app.models import Session
from tests.tenants.factories import make_team

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.skipif(not shutil.which("pg_dump"), reason="needs pg_dump"),
]
BOTH = pytest.mark.django_db(databases=[DEFAULT_DB_ALIAS, REPLICA])


def _admin_connection(db: dict[str, Any]) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    )


@pytest.fixture(scope="module", autouse=True)
def replica_database(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """A `replica` alias on an empty copy of the test database's schema."""
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    name = f"{primary['NAME']}_replica"
    env = {"PGPASSWORD": primary["PASSWORD"] or ""}
    where = ["-h", primary["HOST"], "-p", str(primary["PORT"] or 5432), "-U", primary["USER"]]
    with django_db_blocker.unblock(), _admin_connection(primary) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        schema = subprocess.run(
            ["pg_dump", "--schema-only", *where, primary["NAME"]],
            check=True,
            capture_output=True,
            env=env,
        ).stdout
        subprocess.run(["psql", "-q", *where, name], input=schema, check=True, env=env)
    replica = copy.deepcopy(primary)
    replica.update({"NAME": name, "TEST": {"NAME": name, "MIRROR": None}})
    settings.DATABASES[REPLICA] = replica  # the same dict as connections.settings
    yield name
    connections[REPLICA].close()
    del settings.DATABASES[REPLICA]
    with django_db_blocker.unblock(), _admin_connection(primary) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture(autouse=True)
def _router(settings: Any) -> Iterator[None]:
    settings.DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"]
    settings.DATABASE_REPLICA_MAX_LAG = 5.0
    replica_health_forget()
    yield
    replica_health_forget()


def _audit_page(client: Any, tenant: Any) -> str:
    return client.get(f"/t/{tenant.slug}/audit/").content.decode()


@BOTH
def test_the_audit_log_list_reads_the_replica(owner_client: Any, acme: Any) -> None:
    make_team(acme, "Platform")  # audited on the primary; the replica has no rows
    page = _audit_page(owner_client, acme)
    assert "Platform" not in page
    assert "Nothing has happened here yet" in page


@BOTH
def test_after_a_write_the_writer_reads_the_primary(owner_client: Any, acme: Any) -> None:
    _audit_page(owner_client, acme)
    response = owner_client.post(f"/t/{acme.slug}/teams/new/", {"name": "Platform"})
    assert response.status_code == 302
    assert any(name.endswith("pacetrack-primary") for name in response.cookies)
    assert "Platform" in _audit_page(owner_client, acme)


@BOTH
def test_a_post_that_writes_nothing_does_not_pin(owner_client: Any, acme: Any) -> None:
    _audit_page(owner_client, acme)  # the session's activity is written on this GET
    response = owner_client.post(f"/t/{acme.slug}/teams/new/", {"name": ""})
    assert not any(name.endswith("pacetrack-primary") for name in response.cookies)


@BOTH
def test_a_forged_pin_cookie_is_ignored(owner_client: Any, acme: Any) -> None:
    owner_client.cookies["pacetrack-primary"] = "1"
    assert "Nothing has happened here yet" in _audit_page(owner_client, acme)


@BOTH
def test_a_lagging_replica_is_skipped(owner_client: Any, acme: Any, settings: Any) -> None:
    settings.DATABASE_REPLICA_MAX_LAG = -1  # any lag, even none, is too much
    make_team(acme, "Platform")
    assert "Platform" in _audit_page(owner_client, acme)


@BOTH
def test_an_unreachable_replica_is_skipped(owner_client: Any, acme: Any) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    connections[REPLICA].close()
    settings.DATABASES[REPLICA]["PORT"] = port
    make_team(acme, "Platform")
    try:
        assert "Platform" in _audit_page(owner_client, acme)
    finally:
        connections[REPLICA].close()
        settings.DATABASES[REPLICA]["PORT"] = connections[DEFAULT_DB_ALIAS].settings_dict["PORT"]


@BOTH
def test_the_lag_is_checked_once_per_interval(settings: Any) -> None:
    settings.DATABASE_REPLICA_CHECK_SECONDS = 3600
    with CaptureQueriesContext(connections[REPLICA]) as queries:
        assert replica_usable() and replica_usable() and replica_usable()
    assert len(queries) == 1


@BOTH
def test_only_safe_methods_may_read_the_replica(rf: Any) -> None:
    assert replica_alias(rf.get("/")) == REPLICA
    assert replica_alias(rf.post("/")) == DEFAULT_DB_ALIAS


@BOTH
def test_an_object_read_from_the_replica_is_written_to_the_primary(user: Any) -> None:
    User.objects.using(REPLICA).bulk_create([User(email="stale@example.com", password="x")])
    stale = User.objects.using(REPLICA).get(email="stale@example.com")
    assert router.db_for_write(User, instance=stale) == DEFAULT_DB_ALIAS
    assert router.db_for_read(User, instance=stale) == REPLICA  # its relations: same page


@BOTH
def test_a_revoked_session_is_refused_at_once(owner_client: Any, owner: Any, acme: Any) -> None:
    # Sessions and memberships never read the replica, so no lag can keep one alive.
    Session.objects.filter(user=owner).update(
        revoked_at=timezone.now(), revoked_reason=Session.RevokedReason.ADMIN
    )
    response = owner_client.get(f"/t/{acme.slug}/audit/")
    assert response.status_code == 302
    assert "/auth/sign-in/" in response["Location"]


def test_without_a_replica_every_read_uses_the_primary(rf: Any) -> None:
    replica = settings.DATABASES.pop(REPLICA)
    try:
        assert replica_alias(rf.get("/")) == DEFAULT_DB_ALIAS
    finally:
        settings.DATABASES[REPLICA] = replica


@BOTH
def test_the_admin_list_page_reads_the_replica_and_the_change_page_the_primary(
    staff_client: Any, acme: Any
) -> None:
    team = make_team(acme, "Platform")
    listing = staff_client.get("/admin/core/auditevent/")
    assert listing.status_code == 200
    assert "Platform" not in listing.content.decode()
    event = AuditEvent.objects.get(target_label="Platform")
    change = staff_client.get(f"/admin/core/auditevent/{event.pk}/change/")
    assert change.status_code == 200 and team.name in change.content.decode()


@BOTH
def test_the_data_export_reads_the_replica(auth_client: Any, user: Any, settings: Any) -> None:
    settings.MFA_REAUTH_AGE = 3600  # signed in just now: no re-authentication prompt
    export = auth_client.get("/account/export/")
    assert export.status_code == 200
    data = json.loads(export.content)
    assert data["profile"]["email"] == user.email  # the signed-in user, from the session
    assert data["memberships"] == [] and data["sessions"] == []  # the empty replica
    assert data["known_devices"] == [] and data["failed_sign_ins"] == []
    assert data["linked_accounts"] == []
