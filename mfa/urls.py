from __future__ import annotations

from django.urls import path

from mfa import views, views_passkeys

app_name = "mfa"

urlpatterns = [
    path("", views.security, name="security"),
    path("authenticator/", views.totp_setup, name="totp-setup"),
    path("authenticator/remove/", views.totp_remove_view, name="totp-remove"),
    path("recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path(
        "trusted-browsers/<int:pk>/forget/",
        views.trusted_browser_forget_view,
        name="trusted-browser-forget",
    ),
    path(
        "trusted-browsers/forget/",
        views.trusted_browsers_forget_all_view,
        name="trusted-browsers-forget-all",
    ),
    path("passkeys/add/", views_passkeys.passkey_add, name="passkey-add"),
    path("passkeys/options/", views_passkeys.passkey_options, name="passkey-options"),
    path("passkeys/<int:pk>/rename/", views_passkeys.passkey_rename_view, name="passkey-rename"),
    path("passkeys/<int:pk>/remove/", views_passkeys.passkey_remove_view, name="passkey-remove"),
]
