"""Owners of existing organisations get `sso.manage`, as owners of new ones do."""

from django.db import migrations


def grant(apps, schema_editor):
    Role = apps.get_model("tenants", "Role")
    for role in Role.objects.filter(key="owner").iterator():
        if "sso.manage" not in role.permissions:
            role.permissions = [*role.permissions, "sso.manage"]
            role.save(update_fields=["permissions"])


def revoke(apps, schema_editor):
    Role = apps.get_model("tenants", "Role")
    for role in Role.objects.all().iterator():
        if "sso.manage" in role.permissions:
            role.permissions = [p for p in role.permissions if p != "sso.manage"]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [
        ("sso", "0001_initial"),
        ("tenants", "0012_same_tenant_foreign_keys"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
