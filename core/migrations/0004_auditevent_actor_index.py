"""The audit log page's "Who" filter: one person's events in a tenant, newest first.

Named like the table's other indexes (`tenants_audit_*`): the table predates core.
Built concurrently on PostgreSQL (core.migration_operations): the audit log is the
table that grows, and a plain build would stop every audited action while it runs.
"""

from django.conf import settings
from django.db import migrations, models

from core.migration_operations import AddIndexWithoutLocking


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('core', '0003_auditevent_impersonator'),
        ('tenants', '0014_teammember_via_sso'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexWithoutLocking(
            model_name='auditevent',
            index=models.Index(fields=['tenant', 'actor', '-created_at'], name='tenants_audit_actor'),
        ),
    ]
