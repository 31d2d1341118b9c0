"""The data model's guarantees, down to the database."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from tenants.models import Membership, Tenant
from tenants.triggers import SQLITE_KIND_TRIGGER


def test_changing_a_tenants_kind_is_refused_by_the_model(acme: Any) -> None:
    acme.kind = Tenant.Kind.PERSONAL
    with pytest.raises(ValidationError, match="cannot change"):
        acme.save()


def test_changing_the_kind_of_a_freshly_created_tenant_is_refused_too(acme: Any) -> None:
    fresh = Tenant.objects.get(pk=acme.pk)
    fresh.kind = "personal"
    with pytest.raises(ValidationError, match="cannot change"):
        fresh.full_clean()


def test_a_raw_update_of_kind_is_refused_by_the_database(acme: Any) -> None:
    """Runs on whichever database the suite uses (PostgreSQL or SQLite): both have the trigger."""
    with (
        pytest.raises(IntegrityError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE tenants_tenant SET kind = 'personal' WHERE id = %s", [acme.pk])
    assert Tenant.objects.get(pk=acme.pk).kind == "org"


def test_a_queryset_update_of_kind_is_refused_by_the_database(acme: Any) -> None:
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        Tenant.objects.filter(pk=acme.pk).update(kind="personal")


def test_updates_that_keep_the_kind_pass_the_trigger(acme: Any) -> None:
    Tenant.objects.filter(pk=acme.pk).update(kind="org", name="Renamed")
    assert Tenant.objects.get(pk=acme.pk).name == "Renamed"


def test_the_sqlite_trigger_refuses_a_raw_update_even_when_the_suite_runs_on_postgresql() -> None:
    """The SQLite trigger SQL itself, on a scratch in-memory database."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE tenants_tenant (id INTEGER PRIMARY KEY, kind TEXT, name TEXT)")
    db.execute(SQLITE_KIND_TRIGGER)
    db.execute("INSERT INTO tenants_tenant VALUES (1, 'org', 'Acme')")
    db.execute("UPDATE tenants_tenant SET name = 'Acme 2' WHERE id = 1")
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):
        db.execute("UPDATE tenants_tenant SET kind = 'personal' WHERE id = 1")
    assert db.execute("SELECT kind FROM tenants_tenant").fetchone() == ("org",)


def test_an_org_has_at_most_one_primary_contact_in_the_database(acme: Any) -> None:
    from tests.tenants.factories import add_member

    other = add_member(acme)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=other.pk).update(is_primary_contact=True)


def test_personal_tenants_are_soft_deleted_only_with_their_owners_account(user: Any) -> None:
    # The former DB constraint "personal tenants are never deleted" could not allow
    # account deletion (accounts.services_lifecycle), so the rule lives in the services.
    from accounts.services_lifecycle import account_delete
    from tenants.exceptions import PersonalTenantError
    from tenants.services import tenant_delete

    personal = Tenant.objects.get(personal_owner=user)
    with pytest.raises(PersonalTenantError):
        tenant_delete(tenant=personal, acting_user=user)

    account_delete(user=user)

    personal.refresh_from_db()
    assert personal.is_deleted
