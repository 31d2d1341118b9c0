from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts.receivers import notify_new_device

        user_logged_in.connect(notify_new_device, dispatch_uid="accounts.notify_new_device")

        from django.contrib import admin

        from accounts.forms import AdminLoginForm

        admin.site.login_form = AdminLoginForm  # bounded password, as on every form
