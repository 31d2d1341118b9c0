"""Endpoint.paused_at: an owner's pause, apart from is_active (turned off by the worker
after failures). Existing endpoints are not paused."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0004_delivery_retries_from")]

    operations = [
        migrations.AddField(
            model_name="endpoint",
            name="paused_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
