"""Delivery.retries_from: the start of the window of retries, apart from the event's
time (a Resend used to rewrite created_at). Existing rows start it at their event."""

import django.utils.timezone
from django.db import migrations, models


def from_the_event(apps, schema_editor):
    Delivery = apps.get_model("webhooks", "Delivery")
    Delivery.objects.update(retries_from=models.F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0003_attempt_error_reason")]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="retries_from",
            field=models.DateTimeField(default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.RunPython(from_the_event, migrations.RunPython.noop, elidable=True),
    ]
