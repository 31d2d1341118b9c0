"""Citus readiness (docs/scaling.md): an idempotent response carries its tenant,
copied from its API key, and its unique key includes it. `api_apikey` itself is a
reference table (looked up by public id before the tenant is known), so the key to
it needs no same-tenant twin."""

import django.db.models.deletion
from django.db import migrations, models


def copy_tenants(apps, schema_editor):
    IdempotentResponse = apps.get_model("api", "IdempotentResponse")
    ApiKey = apps.get_model("api", "ApiKey")
    IdempotentResponse.objects.filter(tenant__isnull=True).update(
        tenant_id=models.Subquery(
            ApiKey.objects.filter(pk=models.OuterRef("api_key_id")).values("tenant_id")[:1]
        )
    )
    if schema_editor.connection.vendor == "postgresql":
        # Check the new deferred key now: ALTER TABLE below refuses pending trigger events.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0002_grant_developer_permissions"),
        ("tenants", "0012_same_tenant_foreign_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="idempotentresponse",
            name="tenant",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="tenants.tenant"),
        ),
        migrations.RunPython(copy_tenants, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="idempotentresponse",
            name="tenant",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="tenants.tenant"),
        ),
        migrations.RemoveConstraint(
            model_name="idempotentresponse",
            name="api_idempotency_unique",
        ),
        migrations.AddConstraint(
            model_name="idempotentresponse",
            constraint=models.UniqueConstraint(fields=("tenant", "api_key", "idempotency_key"), name="api_idempotency_unique"),
        ),
    ]
