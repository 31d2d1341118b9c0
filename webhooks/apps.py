from django.apps import AppConfig

from core.audit_actions import audit_actions_register
from webhooks.audit import FIELDS, GROUP, WebhookAction


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        audit_actions_register(
            WebhookAction,
            destructive=[WebhookAction.ENDPOINT_DELETED],
            fields=FIELDS,
            group=GROUP,
        )
