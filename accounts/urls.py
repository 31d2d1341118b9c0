from django.urls import path

from accounts import (
    views,
    views_confirm,
    views_email,
    views_lifecycle,
    views_passkey,
    views_reauth,
    views_second_step,
)

app_name = "accounts"

urlpatterns = [
    path("auth/sign-up/", views.sign_up, name="sign-up"),
    path("auth/sign-up/sent/", views_confirm.sign_up_sent, name="sign-up-sent"),
    path(
        "auth/sign-up/confirm/<str:token>/", views_confirm.sign_up_confirm, name="sign-up-confirm"
    ),
    path("auth/sign-in/", views.sign_in, name="sign-in"),
    path("auth/sign-in/verify/", views_second_step.sign_in_verify, name="sign-in-verify"),
    path("auth/confirm/", views_reauth.reauthenticate, name="reauth"),
    path("auth/passkey/options/", views_passkey.passkey_options, name="passkey-options"),
    path("auth/passkey/sign-in/", views_passkey.passkey_sign_in, name="passkey-sign-in"),
    path("auth/sign-out/", views.sign_out, name="sign-out"),
    path("auth/signed-out/", views.signed_out, name="signed-out"),
    path("account/", views.profile, name="profile"),
    path("account/locale/", views.locale, name="locale"),
    # Email workflows (accounts/views_email.py); "resend" and "required" come before the
    # token route.
    path("auth/verify-email/resend/", views_email.verify_email_resend, name="verify-email-resend"),
    path("auth/verify-email/required/", views_confirm.verify_required, name="verify-required"),
    path("auth/verify-email/<str:token>/", views_email.verify_email, name="verify-email"),
    path("auth/password/forgot/", views_email.password_forgot, name="password-forgot"),
    path(
        "auth/password/forgot/sent/",
        views_email.password_forgot_sent,
        name="password-forgot-sent",
    ),
    path("auth/password/reset/<str:token>/", views_email.password_reset, name="password-reset"),
    path("account/email/", views_email.email_change, name="email-change"),
    path("account/password/", views.password, name="password"),
    path("account/delete/", views_lifecycle.delete, name="delete"),
    path("account/export/", views_lifecycle.export, name="export"),
]
