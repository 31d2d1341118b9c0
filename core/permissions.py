"""Permission codes: what a role may grant, and what a tenant view may require.

They live at the floor so any app's views can declare the code they need
(`core.decorators.tenant_permission_required`) and the tenancy app can bundle them
into roles (tenants/permissions.py). Add a code here, give it to the built-in roles
that should hold it, and require it on the view.
"""

from __future__ import annotations

TENANT_UPDATE = "tenant.update"
TENANT_DELETE = "tenant.delete"
MEMBERS_INVITE = "members.invite"
MEMBERS_MANAGE = "members.manage"
ROLES_MANAGE = "roles.manage"
TEAMS_MANAGE = "teams.manage"
BILLING_MANAGE = "billing.manage"
FILES_MANAGE = "files.manage"
AUDIT_VIEW = "audit.view"

PERMISSION_CHOICES: list[tuple[str, str]] = [
    (TENANT_UPDATE, "Rename the tenant and change its settings"),
    (TENANT_DELETE, "Delete the organisation"),
    (MEMBERS_INVITE, "Invite people"),
    (MEMBERS_MANAGE, "Change members' roles and remove members"),
    (ROLES_MANAGE, "Create, rename and delete custom roles"),
    (TEAMS_MANAGE, "Create and manage teams"),
    (BILLING_MANAGE, "Manage billing and the subscription"),
    (FILES_MANAGE, "Upload and delete files"),
    (AUDIT_VIEW, "See the audit log"),
]
ALL_PERMISSIONS: list[str] = [code for code, _ in PERMISSION_CHOICES]
