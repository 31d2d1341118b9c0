from django.apps import AppConfig

from core.audit_actions import audit_actions_register
from uploads.audit import FIELDS, GROUP, VALUES, FileAction


class UploadsConfig(AppConfig):
    name = "uploads"
    verbose_name = "Uploads"

    def ready(self) -> None:
        # Imported here, not at the top: they import models, which the app registry
        # only allows once every app is loaded.
        from accounts import signals as account_signals
        from uploads import (
            checks,  # noqa: F401 - registers the system checks
            receivers,
        )

        audit_actions_register(
            FileAction,
            destructive=[FileAction.DELETED],
            fields=FIELDS,
            values=VALUES,
            group=GROUP,
        )
        # Accounts sits below uploads and asks through signals (accounts/signals.py).
        account_signals.account_deleting.connect(
            receivers.on_account_deleting, dispatch_uid="uploads.account_deleting"
        )
        account_signals.account_export_requested.connect(
            receivers.on_account_export_requested, dispatch_uid="uploads.account_export"
        )
