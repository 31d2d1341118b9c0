from __future__ import annotations

from django.urls import path

from mfa import views

app_name = "mfa"

urlpatterns = [
    path("", views.security, name="security"),
    path("authenticator/", views.totp_setup, name="totp-setup"),
    path("authenticator/remove/", views.totp_remove_view, name="totp-remove"),
    path("recovery-codes/", views.recovery_codes, name="recovery-codes"),
]
