"""Refuse any change of tenants_tenant.kind in the database itself.

The model refuses it too, but a queryset `.update()`, raw SQL or a future bug
must not turn a personal workspace into an org (or back): the trigger makes the
`UPDATE` fail with an integrity error on PostgreSQL and on SQLite.

SQLite drops triggers when Django rebuilds a table during a later migration;
`tenants.apps` re-creates the SQLite trigger after every `migrate` for that reason.
"""

from django.db import migrations

from tenants.migrations._vendor_sql import VendorRunSQL

POSTGRESQL_FORWARD = """
CREATE OR REPLACE FUNCTION tenants_tenant_kind_immutable() RETURNS trigger AS $$
BEGIN
    IF NEW.kind IS DISTINCT FROM OLD.kind THEN
        RAISE EXCEPTION 'tenants_tenant.kind is immutable (tenant %: % -> %)',
            OLD.id, OLD.kind, NEW.kind
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS tenants_tenant_kind_immutable ON tenants_tenant;
CREATE TRIGGER tenants_tenant_kind_immutable
    BEFORE UPDATE OF kind ON tenants_tenant
    FOR EACH ROW EXECUTE FUNCTION tenants_tenant_kind_immutable();
"""
POSTGRESQL_BACKWARD = """
DROP TRIGGER IF EXISTS tenants_tenant_kind_immutable ON tenants_tenant;
DROP FUNCTION IF EXISTS tenants_tenant_kind_immutable();
"""

SQLITE_FORWARD = """
CREATE TRIGGER IF NOT EXISTS tenants_tenant_kind_immutable
    BEFORE UPDATE OF kind ON tenants_tenant
    FOR EACH ROW WHEN NEW.kind IS NOT OLD.kind
BEGIN
    SELECT RAISE(ABORT, 'tenants_tenant.kind is immutable');
END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS tenants_tenant_kind_immutable;"


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0002_slug_redirects"),
    ]

    operations = [
        VendorRunSQL("postgresql", POSTGRESQL_FORWARD, POSTGRESQL_BACKWARD),
        VendorRunSQL("sqlite", SQLITE_FORWARD, SQLITE_BACKWARD),
    ]
