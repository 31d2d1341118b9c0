from django.apps import AppConfig

from api.audit import FIELDS, GROUP, VALUES, ApiKeyAction
from core.audit_actions import audit_actions_register


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        audit_actions_register(
            ApiKeyAction,
            destructive=[ApiKeyAction.REVOKED],
            fields=FIELDS,
            values=VALUES,
            group=GROUP,
        )
