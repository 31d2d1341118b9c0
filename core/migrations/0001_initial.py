"""AuditEvent moves from tenants to core without touching the database.

The table keeps its name (`tenants_auditevent`, via Meta.db_table), so its rows,
indexes and the immutability trigger of tenants migration 0004 stay as they are;
only Django's state changes hands (tenants 0008 drops it from the tenants app).
The content type is renamed so admin permissions on audit events carry over.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def rename_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="tenants", model="auditevent").update(app_label="core")


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="core", model="auditevent").update(app_label="tenants")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("tenants", "0007_audit_billing_shared"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("actor_ip", models.GenericIPAddressField(blank=True, null=True)),
                        ("action", models.CharField(max_length=40)),
                        ("target_type", models.CharField(blank=True, max_length=60)),
                        ("target_id", models.CharField(blank=True, max_length=64)),
                        ("target_label", models.CharField(blank=True, max_length=255)),
                        ("before", models.JSONField(blank=True, null=True)),
                        ("after", models.JSONField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("actor", models.ForeignKey(blank=True, help_text="Empty for system actions (webhooks, commands).", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("tenant", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="audit_events", to="tenants.tenant")),
                    ],
                    options={
                        "db_table": "tenants_auditevent",
                        "ordering": ["-created_at", "-pk"],
                        "indexes": [
                            models.Index(fields=["tenant", "-created_at"], name="tenants_audit_tenant_time"),
                            models.Index(fields=["tenant", "action", "-created_at"], name="tenants_audit_action"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_type, restore_content_type),
    ]
