"""AuditEvent now belongs to core (core migration 0001); the table stays where it is."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("tenants", "0007_audit_billing_shared"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEvent")],
            database_operations=[],
        ),
    ]
