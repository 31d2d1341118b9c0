from django.apps import AppConfig

from core.audit_actions import audit_actions_register
from webhooks.audit import FIELDS, GROUP, WebhookAction


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from core.signals import encrypted_secrets_rotate
        from webhooks.receivers import rotate_signing_secrets

        encrypted_secrets_rotate.connect(
            rotate_signing_secrets, dispatch_uid="webhooks.rotate_secrets"
        )
        audit_actions_register(
            WebhookAction,
            destructive=[WebhookAction.ENDPOINT_DELETED],
            fields=FIELDS,
            group=GROUP,
        )
