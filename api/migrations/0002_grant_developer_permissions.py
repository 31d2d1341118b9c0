"""Owners and admins of existing organisations get the new developer permissions
(`api_keys.manage`, `webhooks.manage`), as the built-in roles of new ones do."""

from django.db import migrations

CODES = ["api_keys.manage", "webhooks.manage"]


def grant(apps, schema_editor):
    Role = apps.get_model("tenants", "Role")
    for role in Role.objects.filter(key__in=["owner", "admin"]):
        missing = [code for code in CODES if code not in role.permissions]
        if missing:
            role.permissions = [*role.permissions, *missing]
            role.save(update_fields=["permissions"])


def revoke(apps, schema_editor):
    Role = apps.get_model("tenants", "Role")
    for role in Role.objects.all():
        if any(code in role.permissions for code in CODES):
            role.permissions = [p for p in role.permissions if p not in CODES]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("tenants", "0010_two_factor_policy"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
