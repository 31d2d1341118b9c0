"""Single sign-on and directory sync became the owner role's alone (core/permissions.py,
OWNER_ONLY_PERMISSIONS): a custom role that held them loses them here."""

from django.db import migrations

OWNER_ONLY = ("sso.manage", "scim.manage")


def strip_owner_only(apps, schema_editor):
    Role = apps.get_model("tenants", "Role")
    for role in Role.objects.exclude(key="owner").iterator():
        kept = [code for code in role.permissions if code not in OWNER_ONLY]
        if kept != role.permissions:
            role.permissions = kept
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0015_tenant_name_letter_or_digit"),
    ]

    operations = [
        migrations.RunPython(strip_owner_only, migrations.RunPython.noop),
    ]
