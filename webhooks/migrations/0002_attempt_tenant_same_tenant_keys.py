"""Citus readiness (docs/scaling.md): an attempt carries its tenant, copied from its
delivery, and on PostgreSQL the keys between webhook tables include tenant_id, as
tenants migration 0012 does: the database refuses a delivery for another tenant's
endpoint, or an attempt logged against another tenant's delivery."""

import django.db.models.deletion
from django.db import migrations, models

SAME_TENANT_KEYS = [
    ("webhooks_delivery", "endpoint_id", "webhooks_endpoint"),
    ("webhooks_attempt", "delivery_id", "webhooks_delivery"),
]
REFERENCED = ["webhooks_endpoint", "webhooks_delivery"]


def copy_tenants(apps, schema_editor):
    Attempt = apps.get_model("webhooks", "Attempt")
    Delivery = apps.get_model("webhooks", "Delivery")
    Attempt.objects.filter(tenant__isnull=True).update(
        tenant_id=models.Subquery(
            Delivery.objects.filter(pk=models.OuterRef("delivery_id")).values("tenant_id")[:1]
        )
    )
    if schema_editor.connection.vendor == "postgresql":
        # Check the new deferred key now: ALTER TABLE below refuses pending trigger events.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


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
        ("webhooks", "0001_initial"),
        ("tenants", "0012_same_tenant_foreign_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="attempt",
            name="tenant",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="tenants.tenant"),
        ),
        migrations.RunPython(copy_tenants, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="attempt",
            name="tenant",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="tenants.tenant"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
