"""Citus readiness (docs/scaling.md): the key is unique per tenant, indexed for /serve."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("uploads", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="upload",
            name="key",
            field=models.CharField(db_index=True, max_length=255),
        ),
        migrations.AddConstraint(
            model_name="upload",
            constraint=models.UniqueConstraint(fields=("tenant", "key"), name="uploads_upload_unique_key"),
        ),
    ]
