"""Foreign keys between tenant-owned tables include tenant_id (PostgreSQL only).

Django's single-column foreign keys stay; these composite ones sit beside them, so the
database itself refuses a row that points into another tenant (a membership holding
another tenant's role, a team member from another tenant's team), and a distributed
database (Citus) can keep both rows on one shard (docs/scaling.md). Each needs a
unique (tenant_id, id) on the referenced table. Deferred like Django's own keys, so
the order of writes inside a transaction does not matter. SQLite has no ALTER TABLE
ADD CONSTRAINT, and tests/config/test_citus_ready.py checks these on PostgreSQL.
"""

from django.db import migrations

# (table, columns, referenced table): the referenced columns are (tenant_id, id).
SAME_TENANT_KEYS = [
    ("tenants_membership", "role_id", "tenants_role"),
    ("tenants_team", "parent_id", "tenants_team"),
    ("tenants_teammember", "team_id", "tenants_team"),
    ("tenants_teammember", "membership_id", "tenants_membership"),
    ("tenants_invitation", "role_id", "tenants_role"),
    ("tenants_invitation_teams", "invitation_id", "tenants_invitation"),
    ("tenants_invitation_teams", "team_id", "tenants_team"),
]
REFERENCED = sorted({ref for _, _, ref in SAME_TENANT_KEYS})


def _key_name(table, column):
    return f"{table}_{column}_same_tenant_fk"[:63]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for ref in REFERENCED:
        schema_editor.execute(
            f'ALTER TABLE "{ref}" ADD CONSTRAINT "{ref}_tenant_id_id_key" UNIQUE ("tenant_id", "id")'
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
    for ref in REFERENCED:
        schema_editor.execute(f'ALTER TABLE "{ref}" DROP CONSTRAINT "{ref}_tenant_id_id_key"')


class Migration(migrations.Migration):

    dependencies = [
        ("tenants", "0011_tenant_id_on_link_tables"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
