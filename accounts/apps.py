from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from accounts.receivers import log_sign_in, log_sign_in_failure, notify_new_device

        user_logged_in.connect(notify_new_device, dispatch_uid="accounts.notify_new_device")
        user_logged_in.connect(log_sign_in, dispatch_uid="accounts.log_sign_in")
        user_login_failed.connect(log_sign_in_failure, dispatch_uid="accounts.log_sign_in_failure")

        from django.contrib import admin

        from accounts.forms import AdminLoginForm

        admin.site.login_form = AdminLoginForm  # bounded password, as on every form
