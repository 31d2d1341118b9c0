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
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

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
    # Lazy translations: read in the language of the page that lists them.
    name: StrOrPromise  # what a checkbox or a badge says
    description: StrOrPromise  # one line: what holding it lets someone do
    group: StrOrPromise  # the heading it is listed under


# Headings, in the order pages show them.
PERMISSION_GROUPS = (
    _("Members"),
    _("Teams"),
    _("Roles"),
    _("Files"),
    _("Billing"),
    _("Settings"),
    _("Audit log"),
    _("Developers"),
)
# Roles store their codes in this order (tenants.services.roles), so keep it; pages
# list permissions by PERMISSION_GROUPS instead.
PERMISSIONS: tuple[Permission, ...] = (
    Permission(
        TENANT_UPDATE,
        _("Edit workspace settings"),
        _("Rename the workspace and change its web address and logo."),
        _("Settings"),
    ),
    Permission(
        TENANT_DELETE,
        _("Delete the organisation"),
        _("Delete the organisation with its members, teams and files."),
        _("Settings"),
    ),
    Permission(
        MEMBERS_INVITE,
        _("Invite people"),
        _("Send invitations to join the organisation."),
        _("Members"),
    ),
    Permission(
        MEMBERS_MANAGE,
        _("Manage members"),
        _("Change members' roles and remove people from the organisation."),
        _("Members"),
    ),
    Permission(
        ROLES_MANAGE, _("Manage roles"), _("Create, edit and delete custom roles."), _("Roles")
    ),
    Permission(
        TEAMS_MANAGE,
        _("Manage teams"),
        _("Create, rename and delete teams, and choose who is in them."),
        _("Teams"),
    ),
    Permission(
        BILLING_MANAGE,
        _("Manage billing"),
        _("Choose the plan, update payment details and billing contacts, see invoices."),
        _("Billing"),
    ),
    Permission(
        FILES_MANAGE,
        _("Upload and delete files"),
        _("Add files to the workspace and delete them (everyone can download them)."),
        _("Files"),
    ),
    Permission(
        AUDIT_VIEW, _("View the audit log"), _("See who changed what, and when."), _("Audit log")
    ),
    Permission(
        API_KEYS_MANAGE,
        _("Manage API keys"),
        _("Create and revoke the organisation's API keys (never with more than their own rights)."),
        _("Developers"),
    ),
    Permission(
        WEBHOOKS_MANAGE,
        _("Manage webhooks"),
        _("Add, change and remove webhook endpoints, and resend deliveries."),
        _("Developers"),
    ),
    Permission(
        SSO_MANAGE,
        _("Manage single sign-on"),
        _("Verify the organisation's domains and set up its identity provider (SSO)."),
        _("Settings"),
    ),
    Permission(
        SCIM_MANAGE,
        _("Manage directory sync"),
        _("Connect an identity provider that adds, updates and deactivates members (SCIM)."),
        _("Settings"),
    ),
)
PERMISSION_CHOICES: list[tuple[str, StrOrPromise]] = [(p.code, p.name) for p in PERMISSIONS]
ALL_PERMISSIONS: list[str] = [p.code for p in PERMISSIONS]


def permission_groups() -> list[tuple[StrOrPromise, list[Permission]]]:
    """Every permission under its heading, for forms and explanations."""
    return [(group, [p for p in PERMISSIONS if p.group == group]) for group in PERMISSION_GROUPS]


def permission_names(codes: Iterable[str]) -> list[str]:
    """The names of `codes`, in the order pages list them (a code no longer defined, as
    old audit rows may hold, shows as itself)."""
    held = set(codes)
    names = [
        str(p.name) for _heading, group in permission_groups() for p in group if p.code in held
    ]
    return names + sorted(held - set(ALL_PERMISSIONS))
