from django.apps import AppConfig

from core.audit_actions import audit_actions_register
from mfa.audit import FIELDS, GROUP, MfaAction


class MfaConfig(AppConfig):
    name = "mfa"
    verbose_name = "Two-factor authentication"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from core.signals import encrypted_secrets_rotate
        from mfa import checks  # noqa: F401 - registers the system checks
        from mfa.receivers import (
            forget_session_trusted_browser,
            forget_trusted_browsers,
            record_failed_sign_in,
            rotate_totp_secrets,
        )
        from sessions_app.signals import other_sessions_revoked, session_revoked

        audit_actions_register(
            MfaAction,
            destructive=[MfaAction.TOTP_REMOVED, MfaAction.PASSKEY_REMOVED, MfaAction.RESET],
            fields=FIELDS,
            group=GROUP,
        )
        user_login_failed.connect(record_failed_sign_in, dispatch_uid="mfa.record_failed_sign_in")
        encrypted_secrets_rotate.connect(rotate_totp_secrets, dispatch_uid="mfa.rotate_secrets")
        other_sessions_revoked.connect(
            forget_trusted_browsers, dispatch_uid="mfa.forget_trusted_browsers"
        )
        session_revoked.connect(
            forget_session_trusted_browser, dispatch_uid="mfa.forget_session_trusted_browser"
        )
