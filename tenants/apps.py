from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Tenants"

    def ready(self) -> None:
        from tenants.checks import check_middleware_order
        from tenants.triggers import ensure_sqlite_kind_trigger

        checks.register(check_middleware_order)
        post_migrate.connect(
            ensure_sqlite_kind_trigger, sender=self, dispatch_uid="tenants_sqlite_kind_trigger"
        )
