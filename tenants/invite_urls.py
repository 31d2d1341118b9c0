"""The public invitation link, included at /invites/ (namespace "invites")."""

from django.urls import path

from tenants.views import invitations

app_name = "invites"

urlpatterns = [
    path("<str:token>/", invitations.invite_accept, name="accept"),
    path("<str:token>/sign-up/", invitations.invite_sign_up, name="sign-up"),
    path("<str:token>/switch-account/", invitations.invite_switch_account, name="switch"),
    path("<str:token>/decline/", invitations.invite_decline, name="decline"),
]
