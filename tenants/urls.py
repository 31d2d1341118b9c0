"""The signed-in person's workspaces, outside any one tenant: the list, creating an
organisation, and `/app/` (which opens the right one). Pages inside a workspace are
the `tenant:` namespace (tenants/tenant_pages.py)."""

from django.urls import path

from tenants.views import account, invitations

app_name = "workspaces"

urlpatterns = [
    path("app/", account.app, name="app"),
    path("account/tenants/", account.tenant_list, name="list"),
    path("account/tenants/new/", account.org_create, name="create"),
    path(
        "account/tenants/invitations/<int:invitation_id>/accept/",
        invitations.invitation_accept_listed,
        name="invitation-accept",
    ),
    path(
        "account/tenants/invitations/<int:invitation_id>/decline/",
        invitations.invitation_decline_listed,
        name="invitation-decline",
    ),
]
