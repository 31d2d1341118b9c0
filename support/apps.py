from __future__ import annotations

from django.apps import AppConfig


class SupportConfig(AppConfig):
    """Support impersonation: staff holding `support.impersonate` view the app as a
    user, for a limited time, with a reason, audited in every workspace involved."""

    name = "support"
    verbose_name = "Support"

    def ready(self) -> None:
        from core.audit_actions import audit_actions_register
        from support.audit import FIELDS, GROUP, VALUES, SupportAction

        audit_actions_register(SupportAction, fields=FIELDS, values=VALUES, group=GROUP)
