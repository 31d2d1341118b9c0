"""Helpers shared by the tenancy services: scoping assertions, locks, escalation rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.permissions import permission_names
from tenants.exceptions import (
    CrossTenantError,
    EscalationError,
    MemberGoneError,
    NotAMemberError,
    TenantRuleError,
)
from tenants.models import Membership, Role, Tenant
from tenants.permissions import role_in_reach
from tenants.selectors import acting_owners
from tenants.signals import membership_added, membership_removed, membership_suspension_changed

if TYPE_CHECKING:
    from accounts.models import User


def assert_in_tenant(tenant: Tenant, *objects: Any) -> None:
    """Every object handed to a service must belong to the tenant it acts on."""
    for obj in objects:
        if obj is not None and obj.tenant_id != tenant.pk:
            raise CrossTenantError(
                f"{obj.__class__.__name__} {obj.pk} is not in tenant {tenant.pk}."
            )


def lock_tenant(tenant: Tenant) -> None:
    """Serialise owner/contact changes per tenant.

    Without the row lock two owners demoting each other at the same moment would
    both see "another owner remains" and leave the tenant with none. The lock lasts
    until the caller's transaction ends, so there must be one: checked here because
    SQLite has no row locks and Django lets it run outside a transaction unnoticed.
    """
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "lock_tenant runs inside the service's transaction (@transaction.atomic)."
        )
    # FOR NO KEY UPDATE: it serialises every caller as FOR UPDATE would, but leaves the
    # row to the key-share lock PostgreSQL takes when a deferred foreign key to the
    # tenant (an audit row, a delivery) is checked at commit. FOR UPDATE blocked those
    # checks, so a request holding another row and auditing deadlocked against one
    # waiting on that row under this lock (role_update against role_delete).
    Tenant.objects.select_for_update(no_key=True).only("pk").get(pk=tenant.pk)


def member_as_stored(membership: Membership) -> None:
    """Under the tenant's lock: the member as stored now, in place (role, suspension,
    contact flags, whether staff deactivated them). The page, the API route or SCIM read
    the row before the lock: an admin demoted someone an owner had just made an owner,
    and SCIM suspended the one owner a transfer had just handed the organisation to."""
    try:
        membership.refresh_from_db(
            fields=["role", "suspended_at", "is_primary_contact", "is_billing_contact"]
        )
    except Membership.DoesNotExist:
        raise MemberGoneError(
            _("%(email)s is no longer a member here.") % {"email": membership.user.email}
        ) from None
    # The role's permissions and the account as they are too (both change under way).
    membership.role = Role.objects.get(pk=membership.role_id)
    membership.user.refresh_from_db(fields=["is_active"])


def acting_role(*, tenant: Tenant, acting_user: User | None) -> Role | None:
    """The actor's role in the tenant as it is now; None for system actions (commands)."""
    if acting_user is None:
        return None
    try:
        return Role.objects.get(tenant=tenant, memberships__user=acting_user)
    except Role.DoesNotExist:
        raise NotAMemberError(_("You are not a member of this workspace.")) from None


def _is_api_key(actor: Role) -> bool:
    """An API key acts as a role that is never saved (`api.auth.key_role`): its refusals
    speak of the key, not of "your role", which its caller does not have."""
    return actor.pk is None


def _beyond(actor: Role, role: Role) -> str:
    return ", ".join(permission_names(set(role.permissions) - set(actor.permissions)))


def assert_may_grant(*, actor: Role | None, role: Role) -> None:
    """Nobody hands out more than they hold; only owners make owners."""
    if actor is None or role_in_reach(actor=actor, role=role):
        return
    if role.is_owner:
        raise EscalationError(_("Only an owner can make someone an owner."))
    if _is_api_key(actor):
        message = _("This API key cannot grant permissions it does not have: %(permissions)s.")
    else:
        message = _("You cannot grant permissions your own role does not have: %(permissions)s.")
    raise EscalationError(message % {"permissions": _beyond(actor, role)})


def assert_role_still_there(role: Role) -> None:
    """Under the tenant's lock (which `role_delete` takes too): the role picked on the
    form may have been deleted since the page was drawn. Without this the insert failed
    on its foreign key, said as "invited a moment ago" or a 500."""
    if not Role.objects.filter(pk=role.pk).exists():
        raise TenantRuleError(
            _("The role “%(name)s” was deleted a moment ago. Choose another.")
            % {"name": role.label}
        )


def assert_may_manage(*, actor: Role | None, membership: Membership) -> None:
    """Nobody manages a member who holds more than they do: only owners change or remove
    an owner, and a member whose role has a permission the actor lacks is out of reach.
    `actor` None is the system (commands, signals)."""
    refusal = manage_refusal(actor=actor, membership=membership)
    if refusal is not None:
        raise refusal


def manage_refusal(*, actor: Role | None, membership: Membership) -> EscalationError | None:
    """Why `assert_may_manage` refuses, else None: for rules that gather refusals."""
    if actor is None or role_in_reach(actor=actor, role=membership.role):
        return None
    if membership.role.is_owner:
        return EscalationError(_("Only an owner can change or remove another owner."))
    if _is_api_key(actor):
        message = _(
            "%(email)s has permissions this API key does not have (%(permissions)s); ask an owner."
        )
    else:
        message = _(
            "%(email)s has permissions your role does not have (%(permissions)s); ask an owner."
        )
    return EscalationError(
        message % {"email": membership.user.email, "permissions": _beyond(actor, membership.role)}
    )


def assert_may_manage_role(*, actor: Role | None, role: Role) -> None:
    """Editing or deleting a role changes what every holder of it has (and what its
    pending invitations grant), so it needs the reach over the role that managing each
    of those members needs: one rule, `role_in_reach`."""
    if actor is None or role_in_reach(actor=actor, role=role):
        return
    raise EscalationError(
        _(
            "“%(role)s” has permissions your role does not have (%(permissions)s), "
            "so you cannot change or delete it; ask an owner."
        )
        % {"role": role.label, "permissions": _beyond(actor, role)}
    )


def member_data(membership: Membership) -> dict[str, Any]:
    """A member as webhook payloads describe them (docs/webhooks.md)."""
    user = membership.user
    return {
        "member_id": membership.pk,
        "user": {"id": user.pk, "email": user.email, "name": user.name},
        "role": {"id": membership.role_id, "name": membership.role.name},
    }


def owner_count(tenant: Tenant) -> int:
    """The owners who can act: one the directory suspended cannot open the workspace,
    so an organisation must always keep one owner who is not suspended."""
    return Membership.objects.for_tenant(tenant).filter(acting_owners()).count()


def send_membership_added(membership: Membership) -> None:
    transaction.on_commit(
        lambda: membership_added.send(
            sender=Membership, membership=membership, tenant=membership.tenant
        )
    )


def send_membership_removed(*, tenant: Tenant, user: User) -> None:
    transaction.on_commit(
        lambda: membership_removed.send(sender=Membership, tenant=tenant, user=user)
    )


def send_membership_suspension_changed(membership: Membership) -> None:
    transaction.on_commit(
        lambda: membership_suspension_changed.send(
            sender=Membership, membership=membership, tenant=membership.tenant
        )
    )
