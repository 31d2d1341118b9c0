from django.apps import AppConfig

from accounts.audit import FIELDS, GROUP, VALUES, AccountAction
from core.audit_actions import audit_actions_register


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Imported here, not at the top: they import models, which the app registry
        # only allows once every app is loaded.
        from django.contrib import admin
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from accounts import checks  # noqa: F401 - registers the system check
        from accounts.forms import AdminLoginForm
        from accounts.receivers import (
            log_sign_in,
            log_sign_in_failure,
            notify_new_device,
            on_other_sessions_revoked,
            on_second_factor_paused,
            on_session_revoked,
            on_sign_in_paused,
            on_two_factor_changed,
        )
        from mfa.signals import second_factor_paused, two_factor_changed
        from ratelimit.signals import sign_in_paused
        from sessions_app.signals import other_sessions_revoked, session_revoked

        audit_actions_register(
            AccountAction,
            destructive=[AccountAction.DELETED],
            fields=FIELDS,
            values=VALUES,
            group=GROUP,
        )
        user_logged_in.connect(notify_new_device, dispatch_uid="accounts.notify_new_device")
        user_logged_in.connect(log_sign_in, dispatch_uid="accounts.log_sign_in")
        user_login_failed.connect(log_sign_in_failure, dispatch_uid="accounts.log_sign_in_failure")
        sign_in_paused.connect(on_sign_in_paused, dispatch_uid="accounts.sign_in_paused")
        two_factor_changed.connect(on_two_factor_changed, dispatch_uid="accounts.two_factor")
        second_factor_paused.connect(
            on_second_factor_paused, dispatch_uid="accounts.second_factor_paused"
        )
        other_sessions_revoked.connect(
            on_other_sessions_revoked, dispatch_uid="accounts.email_change_after_sign_out"
        )
        session_revoked.connect(
            on_session_revoked, dispatch_uid="accounts.email_change_after_device_sign_out"
        )
        admin.site.login_form = AdminLoginForm  # bounded password, as on every form
