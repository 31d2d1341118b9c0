"""Custom roles: org owners and admins bundle permission codes under a name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing.plans import plan_require
from core.audit import audit_changed, audit_record
from core.permissions import ALL_PERMISSIONS, OWNER_ONLY_PERMISSIONS, OWNER_ONLY_REASON
from core.text import typed_name
from tenants.audit import TenantAction
from tenants.exceptions import (
    BuiltinRoleError,
    PersonalTenantError,
    RoleInUseError,
    TenantRuleError,
)
from tenants.models import Invitation, Role, Tenant
from tenants.services._common import (
    acting_role,
    assert_in_tenant,
    assert_may_grant,
    assert_may_manage_role,
    lock_tenant,
)

if TYPE_CHECKING:
    from accounts.models import User


def _clean(
    *, tenant: Tenant, name: str, permissions: list[str], role: Role | None
) -> tuple[str, list[str]]:
    name = typed_name(name)
    if not name:
        raise ValidationError({"name": _("Give the role a name.")})
    unknown = sorted(set(permissions) - set(ALL_PERMISSIONS))
    if unknown:
        raise ValidationError(
            {"permissions": _("Unknown permission: %(codes)s.") % {"codes": ", ".join(unknown)}}
        )
    if OWNER_ONLY_PERMISSIONS & set(permissions):
        raise ValidationError({"permissions": str(OWNER_ONLY_REASON)})
    clash = Role.objects.for_tenant(tenant).filter(name__iexact=name)
    if role is not None:
        clash = clash.exclude(pk=role.pk)
    if clash.exists():
        raise ValidationError(
            {"name": _("A role called “%(name)s” already exists.") % {"name": name}}
        )
    # Stored in the canonical order so lists compare and display predictably.
    return name, [code for code in ALL_PERMISSIONS if code in set(permissions)]


@transaction.atomic
def role_create(
    *, tenant: Tenant, name: str, permissions: list[str], acting_user: User | None
) -> Role:
    """A custom role in an org, granting no more than the acting member holds."""
    if tenant.is_personal:
        raise PersonalTenantError(_("Personal workspaces have no custom roles."))
    plan_require(tenant=tenant, feature="custom_roles")
    lock_tenant(tenant)  # the name checked free under it (two creates at once: a 500)
    name, permissions = _clean(tenant=tenant, name=name, permissions=permissions, role=None)
    role = Role(tenant=tenant, name=name, permissions=permissions)
    assert_may_grant(actor=acting_role(tenant=tenant, acting_user=acting_user), role=role)
    role.full_clean(exclude=["permissions"])  # validated above; an empty list is allowed
    role.save()
    audit_record(
        tenant=tenant,
        action=TenantAction.ROLE_CREATED,
        acting_user=acting_user,
        target=role,
        after={"name": role.name, "permissions": role.permissions},
    )
    return role


@transaction.atomic
def role_update(
    *, tenant: Tenant, role: Role, name: str, permissions: list[str], acting_user: User | None
) -> Role:
    """Rename a custom role or change its permissions; built-in roles are fixed.

    The actor must reach the role as it is (so may manage everyone holding it) and
    the role as it becomes (so grants nothing they lack)."""
    # Checked against the row as stored (locked): `role` may carry unsaved edits (the
    # admin's form applies them first), and an owner's concurrent change must not be
    # overwritten by someone who could not have made it.
    assert_in_tenant(tenant, role)
    # The tenant first, as role_create and role_delete: a new name is checked free
    # while no create of it can slip in (a rename beside one was a 500).
    lock_tenant(tenant)
    current = Role.objects.select_for_update().filter(pk=role.pk).first()
    if current is None:
        raise TenantRuleError(_("This role was deleted a moment ago."))
    if current.is_builtin:
        raise BuiltinRoleError(
            _("“%(name)s” is a built-in role and cannot be changed.") % {"name": current.label}
        )
    plan_require(tenant=tenant, feature="custom_roles")
    actor = acting_role(tenant=tenant, acting_user=acting_user)
    assert_may_manage_role(actor=actor, role=current)
    name, permissions = _clean(tenant=tenant, name=name, permissions=permissions, role=role)
    assert_may_grant(actor=actor, role=Role(tenant=tenant, name=name, permissions=permissions))
    before = {"name": current.name, "permissions": list(current.permissions)}
    role.name, role.permissions = name, permissions
    role.full_clean(exclude=["permissions"])  # validated above; an empty list is allowed
    role.save(update_fields=["name", "permissions"])
    before, after = audit_changed(before, {"name": role.name, "permissions": role.permissions})
    if after:
        audit_record(
            tenant=tenant,
            action=TenantAction.ROLE_UPDATED,
            acting_user=acting_user,
            target=role,
            before=before,
            after=after,
        )
    return role


def role_delete_refusal(*, role: Role, holders: int, invitations: int = 0) -> RoleInUseError | None:
    """Why this custom role may not be deleted yet (None: it may), given how many
    members hold it and how many open invitations (pending or expired) offer it. The
    one rule, for `role_delete` and for the roles page, which disables its button with
    this reason. An invitation is not taken back behind its sender's back: its link
    would have said "not valid" to the person waiting on it."""
    if holders:
        return RoleInUseError(
            ngettext(
                "“%(name)s” is held by %(count)d member. Give them another role first.",
                "“%(name)s” is held by %(count)d members. Give them another role first.",
                holders,
            )
            % {"name": role.label, "count": holders}
        )
    if invitations:
        return RoleInUseError(
            ngettext(
                "“%(name)s” is offered by %(count)d open invitation. Cancel it on the "
                "members page first.",
                "“%(name)s” is offered by %(count)d open invitations. Cancel them on the "
                "members page first.",
                invitations,
            )
            % {"name": role.label, "count": invitations}
        )
    return None


@transaction.atomic
def role_delete(*, tenant: Tenant, role: Role, acting_user: User | None) -> None:
    """Delete a custom role nobody holds and no open invitation offers. The actor must
    reach it as for editing (the refusal above would tell them of invitations to a role
    they could not grant)."""
    assert_in_tenant(tenant, role)
    if role.is_builtin:
        raise BuiltinRoleError(
            _("“%(name)s” is a built-in role and cannot be deleted.") % {"name": role.label}
        )
    # The tenant's lock, as inviting and changing a role take it: neither can pick
    # this role between the counts below and the delete (assert_role_still_there).
    lock_tenant(tenant)
    current = Role.objects.select_for_update().filter(pk=role.pk).first()
    if current is None:  # deleted a moment ago (another tab): nothing left to do
        return
    actor = acting_role(tenant=tenant, acting_user=acting_user)
    assert_may_manage_role(actor=actor, role=current)
    refusal = role_delete_refusal(
        role=role,
        holders=role.memberships.count(),
        invitations=Invitation.objects.for_tenant(tenant).open().filter(role=role).count(),
    )
    if refusal is not None:
        raise refusal
    audit_record(
        tenant=tenant,
        action=TenantAction.ROLE_DELETED,
        acting_user=acting_user,
        target=role,
        before={"name": role.name, "permissions": role.permissions},
    )
    role.delete()
