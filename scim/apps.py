from django.apps import AppConfig

from core.audit_actions import audit_actions_register
from scim.audit import DESTRUCTIVE, FIELDS, GROUP, ScimAction


class ScimConfig(AppConfig):
    name = "scim"
    verbose_name = "SCIM directory sync"

    def ready(self) -> None:
        audit_actions_register(
            ScimAction,
            destructive=DESTRUCTIVE,
            fields=FIELDS,
            group=GROUP,
        )
