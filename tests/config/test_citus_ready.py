"""The schema stays ready to be distributed by tenant (Citus; docs/scaling.md).

Every model is enumerated. A model is *tenant-owned* when it has a foreign key to
the tenant or to another tenant-owned model; such a model must carry its own
`tenant` column (the distribution column), every unique constraint on it must
include that column (a distributed table can enforce nothing else), and on
PostgreSQL every foreign key to another tenant-owned table has a composite twin
that includes it (tenants migration 0012). The tables that are not distributed by
tenant are listed below, each with the reason: that list is the whole exception.
Primary keys are `id` alone for Django; the move to Citus makes them
`(tenant_id, id)` in SQL (docs/scaling.md), so they are not checked here.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from django.test.utils import isolate_apps
from django.utils import timezone

from tenants.models import Membership, Tenant
from tests.tenants.factories import OrgFactory, add_member, make_role
from webhooks.models import Attempt, Delivery, Endpoint

TENANT = "tenants.Tenant"

# Replicated to every node: small, read on every request across tenants, or looked
# up before the tenant (and so the shard) is known.
REFERENCE_TABLES: dict[str, str] = {
    TENANT: "the tenants themselves: looked up by slug before the shard is known",
    "tenants.TenantSlugRedirect": "old slugs: looked up by slug before the shard is known",
    "billing.Account": "one account pays for several tenants",
    "sso.Domain": "verified domains: looked up by an email's domain before the tenant is "
    "known, and one organisation per verified domain is a rule across tenants",
    "api.ApiKey": "API keys: looked up by the public id in the bearer token before the "
    "tenant is known, so the public id stays globally unique; a few rows per tenant, "
    "written only when created, revoked or touched (at most every 5 minutes)",
}
# Kept on the coordinator (or distributed by user): not owned by one tenant.
COORDINATOR_TABLES: dict[str, str] = {
    "sessions_app.Session": "a person's sessions span tenants (distribute by user_id)",
}
NOT_BY_TENANT = REFERENCE_TABLES | COORDINATOR_TABLES


def _foreign_keys(model: type[models.Model]) -> list[models.ForeignKey[Any, Any]]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


def tenant_owned_models(candidates: list[type[models.Model]]) -> list[type[models.Model]]:
    """The models with a key to the tenant or to a tenant-owned model (a fixpoint)."""
    owned: set[str] = set()
    changed = True
    while changed:
        changed = False
        for model in candidates:
            label = model._meta.label
            if label in owned or label in NOT_BY_TENANT:
                continue
            targets = {f.related_model._meta.label for f in _foreign_keys(model)}  # type: ignore[union-attr]
            if TENANT in targets or targets & owned:
                owned.add(label)
                changed = True
    return [m for m in candidates if m._meta.label in owned]


def _unique_sets(model: type[models.Model]) -> list[tuple[str, set[str]]]:
    opts = model._meta
    found = [
        (f"{f.name} (unique field)", {f.name})
        for f in opts.concrete_fields
        if f.unique and not f.primary_key
    ]
    found += [(f"unique_together {fs}", set(fs)) for fs in opts.unique_together]
    # A constraint on expressions (`Lower("user_name")`) names its plain columns as F().
    found += [
        (c.name, set(c.fields) | {e.name for e in c.expressions if isinstance(e, models.F)})
        for c in opts.constraints
        if isinstance(c, models.UniqueConstraint)
    ]
    return found


def citus_readiness_problems(candidates: list[type[models.Model]]) -> list[str]:
    """Everything that would stop these models from being distributed by tenant."""
    problems = []
    for model in tenant_owned_models(candidates):
        label = model._meta.label
        column = next((f for f in _foreign_keys(model) if f.name == "tenant"), None)
        if column is None or column.related_model._meta.label != TENANT:  # type: ignore[union-attr]
            problems.append(f"{label}: tenant-owned but has no `tenant` foreign key")
            continue
        for name, fields in _unique_sets(model):
            if "tenant" not in fields:
                problems.append(f"{label}: unique constraint {name} lacks tenant_id")
    return problems


def test_every_tenant_owned_model_carries_tenant_id_in_its_unique_constraints() -> None:
    problems = citus_readiness_problems(list(apps.get_models(include_auto_created=True)))
    assert problems == []


def test_the_exceptions_name_existing_models() -> None:
    for label in NOT_BY_TENANT:
        assert apps.get_model(label) is not None


def test_the_known_tenant_owned_tables_are_found() -> None:
    owned = {m._meta.label for m in tenant_owned_models(list(apps.get_models()))}
    assert {
        "core.AuditEvent",
        "tenants.Role",
        "tenants.Membership",
        "tenants.Team",
        "tenants.TeamMember",
        "tenants.Invitation",
        "tenants.InvitationTeam",
        "uploads.Upload",
    } <= owned


@isolate_apps("tenants")
def test_the_check_refuses_a_link_table_without_tenant_and_a_global_unique() -> None:
    class Project(models.Model):
        tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
        code = models.CharField(max_length=10, unique=True)

        class Meta:
            app_label = "tenants"

    class ProjectMember(models.Model):
        project = models.ForeignKey(Project, on_delete=models.CASCADE)

        class Meta:
            app_label = "tenants"

    assert citus_readiness_problems([Project, ProjectMember]) == [
        "tenants.Project: unique constraint code (unique field) lacks tenant_id",
        "tenants.ProjectMember: tenant-owned but has no `tenant` foreign key",
    ]


# --- PostgreSQL: foreign keys between tenant-owned tables include tenant_id ----------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="composite keys exist on PostgreSQL only"
)


def _composite_keys() -> set[tuple[str, str, str]]:
    """(table, column, referenced table) of each foreign key on (tenant_id, column)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, a2.attname, c.confrelid::regclass::text
            FROM pg_constraint c
            JOIN pg_attribute a1 ON a1.attrelid = c.conrelid AND a1.attnum = c.conkey[1]
            JOIN pg_attribute a2 ON a2.attrelid = c.conrelid AND a2.attnum = c.conkey[2]
            WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 2
              AND a1.attname = 'tenant_id'
            """
        )
        return {(t, col, ref) for t, col, ref in cursor.fetchall()}


@postgresql_only
@pytest.mark.django_db
def test_every_key_between_tenant_owned_tables_has_a_same_tenant_twin() -> None:
    owned = tenant_owned_models(list(apps.get_models(include_auto_created=True)))
    owned_labels = {m._meta.label for m in owned}
    wanted = {
        (m._meta.db_table, f.column, f.related_model._meta.db_table)  # type: ignore[union-attr]
        for m in owned
        for f in _foreign_keys(m)
        if f.related_model._meta.label in owned_labels  # type: ignore[union-attr]
    }
    assert wanted - _composite_keys() == set()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_a_membership_holding_another_tenants_role() -> None:
    acme, globex = OrgFactory(name="Acme"), OrgFactory(name="Globex")
    membership = add_member(acme)
    foreign_role = make_role(globex, "Globex auditor", ["audit.view"])
    with pytest.raises(IntegrityError), transaction.atomic():
        # Past every service check, straight at the table: the key still refuses it.
        Membership.objects.filter(pk=membership.pk).update(role=foreign_role)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    membership.refresh_from_db()
    assert membership.role.tenant_id == acme.pk


def _check_deferred_keys_now() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_a_delivery_or_attempt_crossing_tenants() -> None:
    acme, globex = OrgFactory(name="Acme"), OrgFactory(name="Globex")
    endpoints = {
        org: Endpoint.objects.create(tenant=org, url="https://example.com/hook", secret="x")
        for org in (acme, globex)
    }
    deliveries = {
        org: Delivery.objects.create(
            tenant=org,
            endpoint=endpoints[org],
            message_id=f"msg_{org.pk}",
            event_type="team.created",
            payload="{}",
            created_at=timezone.now(),
            retries_from=timezone.now(),
        )
        for org in (acme, globex)
    }
    attempt = Attempt.objects.create(delivery=deliveries[acme], number=1, sent_at=timezone.now())
    assert attempt.tenant_id == acme.pk  # copied from the delivery by save()
    # Past every service, straight at the tables: the composite keys still refuse.
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.filter(pk=deliveries[acme].pk).update(endpoint=endpoints[globex])
        _check_deferred_keys_now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.filter(pk=attempt.pk).update(delivery=deliveries[globex])
        _check_deferred_keys_now()
    attempt.refresh_from_db()
    deliveries[acme].refresh_from_db()
    assert attempt.delivery_id == deliveries[acme].pk
    assert deliveries[acme].endpoint_id == endpoints[acme].pk
