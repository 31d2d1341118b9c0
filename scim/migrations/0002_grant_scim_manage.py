"""Owners of existing organisations get `scim.manage`, as new ones do (tenants.permissions)."""

from django.db import migrations


def grant(apps, schema_editor):
    Role = apps.get_model("tenants", "Role")
    for role in Role.objects.filter(key="owner").iterator():
        if "scim.manage" not in role.permissions:
            role.permissions = [*role.permissions, "scim.manage"]
            role.save(update_fields=["permissions"])


def revoke(apps, schema_editor):
    Role = apps.get_model("tenants", "Role")
    for role in Role.objects.filter(key="owner").iterator():
        if "scim.manage" in role.permissions:
            role.permissions = [p for p in role.permissions if p != "scim.manage"]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [
        ("scim", "0001_initial"),
        ("tenants", "0013_membership_suspended_at_team_directory_managed"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
