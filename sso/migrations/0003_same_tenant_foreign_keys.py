"""Foreign keys between tenant-owned tables include tenant_id (PostgreSQL only), as
tenants migration 0012 does: the database refuses a connection whose default role, or
an IdP identity whose connection, belongs to another tenant (docs/scaling.md)."""

from django.db import migrations

SAME_TENANT_KEYS = [
    ("sso_connection", "default_role_id", "tenants_role"),
    ("sso_orgidentity", "connection_id", "sso_connection"),
]


def _key_name(table, column):
    return f"{table}_{column}_same_tenant_fk"[:63]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # tenants_role has its unique (tenant_id, id) from tenants 0012.
    schema_editor.execute(
        'ALTER TABLE "sso_connection" ADD CONSTRAINT "sso_connection_tenant_id_id_key" '
        'UNIQUE ("tenant_id", "id")'
    )
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
    schema_editor.execute(
        'ALTER TABLE "sso_connection" DROP CONSTRAINT "sso_connection_tenant_id_id_key"'
    )


class Migration(migrations.Migration):
    dependencies = [
        ("sso", "0002_grant_sso_manage"),
        ("tenants", "0012_same_tenant_foreign_keys"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
