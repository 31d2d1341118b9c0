"""Composite foreign keys (tenant_id, …) beside Django's, as tenants migration 0012 adds
for the tenancy tables: the database refuses a SCIM link into another tenant's
membership or team, and a distributed database keeps both rows on one shard.
PostgreSQL only (tests/config/test_citus_ready.py checks them there)."""

from django.db import migrations

# (table, column, referenced table): tenants 0012 made (tenant_id, id) unique on both.
SAME_TENANT_KEYS = [
    ("scim_scimuser", "membership_id", "tenants_membership"),
    ("scim_scimgroup", "team_id", "tenants_team"),
]


def _key_name(table, column):
    return f"{table}_{column}_same_tenant_fk"[:63]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, ref in SAME_TENANT_KEYS:
        schema_editor.execute(
            f'ALTER TABLE "{table}" ADD CONSTRAINT "{_key_name(table, column)}" '
            f'FOREIGN KEY ("tenant_id", "{column}") REFERENCES "{ref}" ("tenant_id", "id") '
            "DEFERRABLE INITIALLY DEFERRED"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, _ in SAME_TENANT_KEYS:
        schema_editor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{_key_name(table, column)}"')


class Migration(migrations.Migration):
    dependencies = [
        ("scim", "0002_grant_scim_manage"),
        ("tenants", "0012_same_tenant_foreign_keys"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
