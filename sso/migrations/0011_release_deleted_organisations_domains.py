"""Domains of organisations deleted before their deletion released them
(sso.services_domains.domains_release) lose their verification: kept verified, each
stopped every other organisation from verifying it."""

from django.db import migrations


def release(apps, schema_editor):
    Domain = apps.get_model("sso", "Domain")
    Domain.objects.filter(tenant__deleted_at__isnull=False).update(verified_at=None)


class Migration(migrations.Migration):
    dependencies = [("sso", "0010_saml_certificate_warned_at")]

    operations = [migrations.RunPython(release, migrations.RunPython.noop)]
