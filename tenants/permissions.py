"""The built-in roles that bundle the permission codes (core/permissions.py), and the
one rule that compares two roles.

Roles store a list of codes; views declare the one they need and the server checks
it against the membership as it is on this request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_noop

from core.permissions import (
    ALL_PERMISSIONS,
    BILLING_MANAGE,
    OWNER_ONLY_PERMISSIONS,
    TENANT_DELETE,
)

if TYPE_CHECKING:
    from tenants.models import Role

# key -> (display name, permissions). The name is stored in English; gettext_noop only
# puts it in the catalogue for pages that translate built-in role names.
BUILTIN_ROLES: dict[str, tuple[str, list[str]]] = {
    "owner": (gettext_noop("Owner"), ALL_PERMISSIONS),
    "admin": (
        gettext_noop("Admin"),
        # SSO and directory sync decide how everyone signs in: an owner's call, like billing.
        [
            p
            for p in ALL_PERMISSIONS
            if p not in OWNER_ONLY_PERMISSIONS | {BILLING_MANAGE, TENANT_DELETE}
        ],
    ),
    "billing_admin": (gettext_noop("Billing admin"), [BILLING_MANAGE]),
    "member": (gettext_noop("Member"), []),
}


def role_in_reach(*, actor: Role | None, role: Role) -> bool:
    """Whether `actor` may act on what `role` grants: grant it (invite, assign), manage
    whoever holds it (change their role, remove them, move their contacts), edit or
    delete it, and cancel or resend an invitation for it.

    Owners reach every role; nobody else reaches the owner role or a role with a
    permission they lack, so nobody changes what a more powerful member holds.
    `actor` None is the system (commands, signals). The services enforce this and
    the pages ask it to decide which controls to show: the rule lives only here.
    """
    if actor is None or actor.is_owner:
        return True
    return not role.is_owner and set(role.permissions) <= set(actor.permissions)
