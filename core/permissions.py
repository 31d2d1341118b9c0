"""Permission codes: what a role may grant, and what a tenant view may require.

They live at the floor so any app's views can declare the code they need
(`core.decorators.tenant_permission_required`) and the tenancy app can bundle them
into roles (tenants/permissions.py). Add a code here, with the name, one-line
description and group that people see, give it to the built-in roles that should
hold it, and require it on the view. Pages show the names, never the codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

TENANT_UPDATE = "tenant.update"
TENANT_DELETE = "tenant.delete"
MEMBERS_INVITE = "members.invite"
MEMBERS_MANAGE = "members.manage"
ROLES_MANAGE = "roles.manage"
TEAMS_MANAGE = "teams.manage"
BILLING_MANAGE = "billing.manage"
FILES_MANAGE = "files.manage"
AUDIT_VIEW = "audit.view"
API_KEYS_MANAGE = "api_keys.manage"
WEBHOOKS_MANAGE = "webhooks.manage"
SSO_MANAGE = "sso.manage"
SCIM_MANAGE = "scim.manage"


@dataclass(frozen=True)
class Permission:
    code: str
    name: str  # what a checkbox or a badge says
    description: str  # one line: what holding it lets someone do
    group: str  # the heading it is listed under


# Headings, in the order pages show them.
PERMISSION_GROUPS = (
    "Members",
    "Teams",
    "Roles",
    "Files",
    "Billing",
    "Settings",
    "Audit log",
    "Developers",
)
# Roles store their codes in this order (tenants.services.roles), so keep it; pages
# list permissions by PERMISSION_GROUPS instead.
PERMISSIONS: tuple[Permission, ...] = (
    Permission(
        TENANT_UPDATE,
        "Edit workspace settings",
        "Rename the workspace and change its web address and logo.",
        "Settings",
    ),
    Permission(
        TENANT_DELETE,
        "Delete the organisation",
        "Delete the organisation with its members, teams and files.",
        "Settings",
    ),
    Permission(
        MEMBERS_INVITE, "Invite people", "Send invitations to join the organisation.", "Members"
    ),
    Permission(
        MEMBERS_MANAGE,
        "Manage members",
        "Change members' roles and remove people from the organisation.",
        "Members",
    ),
    Permission(ROLES_MANAGE, "Manage roles", "Create, edit and delete custom roles.", "Roles"),
    Permission(
        TEAMS_MANAGE,
        "Manage teams",
        "Create, rename and delete teams, and choose who is in them.",
        "Teams",
    ),
    Permission(
        BILLING_MANAGE,
        "Manage billing",
        "Choose the plan, update payment details and billing contacts, see invoices.",
        "Billing",
    ),
    Permission(
        FILES_MANAGE,
        "Upload and delete files",
        "Add files to the workspace and delete them (everyone can download them).",
        "Files",
    ),
    Permission(AUDIT_VIEW, "View the audit log", "See who changed what, and when.", "Audit log"),
    Permission(
        API_KEYS_MANAGE,
        "Manage API keys",
        "Create and revoke the organisation's API keys (never with more than their own rights).",
        "Developers",
    ),
    Permission(
        WEBHOOKS_MANAGE,
        "Manage webhooks",
        "Add, change and remove webhook endpoints, and resend deliveries.",
        "Developers",
    ),
    Permission(
        SSO_MANAGE,
        "Manage single sign-on",
        "Verify the organisation's domains and set up its identity provider (SSO).",
        "Settings",
    ),
    Permission(
        SCIM_MANAGE,
        "Manage directory sync",
        "Connect an identity provider that adds, updates and deactivates members (SCIM).",
        "Settings",
    ),
)
PERMISSION_CHOICES: list[tuple[str, str]] = [(p.code, p.name) for p in PERMISSIONS]
ALL_PERMISSIONS: list[str] = [p.code for p in PERMISSIONS]


def permission_groups() -> list[tuple[str, list[Permission]]]:
    """Every permission under its heading, for forms and explanations."""
    return [(group, [p for p in PERMISSIONS if p.group == group]) for group in PERMISSION_GROUPS]


def permission_names(codes: Iterable[str]) -> list[str]:
    """The names of `codes`, in the order pages list them (a code no longer defined, as
    old audit rows may hold, shows as itself)."""
    held = set(codes)
    names = [p.name for _, group in permission_groups() for p in group if p.code in held]
    return names + sorted(held - set(ALL_PERMISSIONS))
