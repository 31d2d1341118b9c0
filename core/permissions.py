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

from django.utils.translation import gettext, gettext_lazy, gettext_noop

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

# Held by the owner role alone, never by a custom role: whoever sets up the identity
# provider can sign in as anyone on the organisation's verified domains (its owners
# included, and with them every other organisation those accounts belong to), and
# directory sync suspends whom it likes. Giving that to a role is making an owner.
OWNER_ONLY_PERMISSIONS = frozenset({SSO_MANAGE, SCIM_MANAGE})
OWNER_ONLY_REASON = gettext_lazy(
    "Single sign-on and directory sync stay with owners: whoever sets up the identity "
    "provider can sign in as anyone on the organisation's domains, owners included."
)


@dataclass(frozen=True)
class Permission:
    """The words are stored in English (marked with gettext_noop) and read through
    `name`, `description` and `group` in the language active when they are read."""

    code: str
    name_en: str  # what a checkbox or a badge says
    description_en: str  # one line: what holding it lets someone do
    group_en: str  # the heading it is listed under (one of PERMISSION_GROUPS)

    @property
    def name(self) -> str:
        return gettext(self.name_en)

    @property
    def description(self) -> str:
        return gettext(self.description_en)

    @property
    def group(self) -> str:
        return gettext(self.group_en)


# Headings, in the order pages show them.
PERMISSION_GROUPS = (
    gettext_noop("Members"),
    gettext_noop("Teams"),
    gettext_noop("Roles"),
    gettext_noop("Files"),
    gettext_noop("Billing"),
    gettext_noop("Settings"),
    gettext_noop("Audit log"),
    gettext_noop("Developers"),
)
# Roles store their codes in this order (tenants.services.roles), so keep it; pages
# list permissions by PERMISSION_GROUPS instead.
PERMISSIONS: tuple[Permission, ...] = (
    Permission(
        TENANT_UPDATE,
        gettext_noop("Edit workspace settings"),
        gettext_noop("Rename the workspace and change its web address and logo."),
        gettext_noop("Settings"),
    ),
    Permission(
        TENANT_DELETE,
        gettext_noop("Delete the organisation"),
        gettext_noop("Delete the organisation with its members, teams and files."),
        gettext_noop("Settings"),
    ),
    Permission(
        MEMBERS_INVITE,
        gettext_noop("Invite people"),
        gettext_noop("Send invitations to join the organisation."),
        gettext_noop("Members"),
    ),
    Permission(
        MEMBERS_MANAGE,
        gettext_noop("Manage members"),
        gettext_noop("Change members' roles and remove people from the organisation."),
        gettext_noop("Members"),
    ),
    Permission(
        ROLES_MANAGE,
        gettext_noop("Manage roles"),
        gettext_noop("Create, edit and delete custom roles."),
        gettext_noop("Roles"),
    ),
    Permission(
        TEAMS_MANAGE,
        gettext_noop("Manage teams"),
        gettext_noop("Create, rename and delete teams, and choose who is in them."),
        gettext_noop("Teams"),
    ),
    Permission(
        BILLING_MANAGE,
        gettext_noop("Manage billing"),
        gettext_noop("Choose the plan, update payment details and billing contacts, see invoices."),
        gettext_noop("Billing"),
    ),
    Permission(
        FILES_MANAGE,
        gettext_noop("Upload and delete files"),
        gettext_noop("Add files to the workspace and delete them (everyone can download them)."),
        gettext_noop("Files"),
    ),
    Permission(
        AUDIT_VIEW,
        gettext_noop("View the audit log"),
        gettext_noop("See who changed what, and when."),
        gettext_noop("Audit log"),
    ),
    Permission(
        API_KEYS_MANAGE,
        gettext_noop("Manage API keys"),
        gettext_noop(
            "Create and revoke the organisation's API keys (never with more than their own rights)."
        ),
        gettext_noop("Developers"),
    ),
    Permission(
        WEBHOOKS_MANAGE,
        gettext_noop("Manage webhooks"),
        gettext_noop("Add, change and remove webhook endpoints, and resend deliveries."),
        gettext_noop("Developers"),
    ),
    Permission(
        SSO_MANAGE,
        gettext_noop("Manage single sign-on"),
        gettext_noop("Verify the organisation's domains and set up its identity provider (SSO)."),
        gettext_noop("Settings"),
    ),
    Permission(
        SCIM_MANAGE,
        gettext_noop("Manage directory sync"),
        gettext_noop(
            "Connect an identity provider that adds, updates and deactivates members (SCIM)."
        ),
        gettext_noop("Settings"),
    ),
)
PERMISSION_CHOICES: list[tuple[str, StrOrPromise]] = [
    (p.code, gettext_lazy(p.name_en)) for p in PERMISSIONS
]
ALL_PERMISSIONS: list[str] = [p.code for p in PERMISSIONS]


def permission_groups() -> list[tuple[str, list[Permission]]]:
    """Every permission under its heading (in the active language), for forms and
    explanations."""
    return [
        (gettext(group), [p for p in PERMISSIONS if p.group_en == group])
        for group in PERMISSION_GROUPS
    ]


def permission_names(codes: Iterable[str]) -> list[str]:
    """The names of `codes`, in the order pages list them (a code no longer defined, as
    old audit rows may hold, shows as itself)."""
    held = set(codes)
    names = [
        str(p.name) for _heading, group in permission_groups() for p in group if p.code in held
    ]
    return names + sorted(held - set(ALL_PERMISSIONS))
