"""Who is in a tenant, with which role, and who its contacts are."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.plans import plan_check_members
from billing.services import account_customer_email_sync_enqueue
from core.audit import audit_record
from core.exceptions import DomainError
from core.members import member_can_act, members_who_can_act
from tenants.audit import TenantAction
from tenants.exceptions import (
    AlreadyAMemberError,
    BillingContactError,
    EscalationError,
    LastOwnerError,
    PersonalTenantError,
    PrimaryContactError,
    TenantRuleError,
)
from tenants.models import Membership, Role, Tenant
from tenants.selectors import acting_owners, primary_contact_get, tenant_seats_taken
from tenants.services._common import (
    acting_role,
    assert_in_tenant,
    assert_may_grant,
    assert_may_manage,
    assert_role_still_there,
    lock_tenant,
    manage_refusal,
    member_as_stored,
    member_data,
    owner_count,
    send_membership_added,
    send_membership_removed,
    send_membership_suspension_changed,
)
from webhooks.events import event_emit

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def membership_create(
    *,
    tenant: Tenant,
    user: User,
    role: Role,
    acting_user: User | None,
    is_billing_contact: bool = False,
    invited_by: User | None = None,
) -> Membership:
    """Add a user to an org. The hook for invitations: accepting one calls this.

    `acting_user` is who let them in (an admin, an owner approving a request; None for
    the system: a directory, an SSO rule, a command), checked against what they may
    grant. An accepted invitation passes `invited_by` instead: the grant is checked
    against the inviter, but the person joining is the actor of "Member joined" (they
    joined now; the inviter only asked them earlier), and the inviter's address is kept
    in its `after`.
    """
    assert_in_tenant(tenant, role)
    if tenant.is_personal:
        raise PersonalTenantError(_("Personal workspaces cannot have other members."))
    grantor = invited_by if invited_by is not None else acting_user
    assert_may_grant(actor=acting_role(tenant=tenant, acting_user=grantor), role=role)
    if Membership.objects.for_tenant(tenant).filter(user=user).exists():
        raise AlreadyAMemberError(
            _("%(email)s is already a member of %(name)s.")
            % {"email": user.email, "name": tenant.name}
        )
    membership = Membership(
        tenant=tenant, user=user, role=role, is_billing_contact=is_billing_contact
    )
    membership.full_clean()
    membership.save()
    audit_record(
        tenant=tenant,
        action=TenantAction.MEMBER_JOINED,
        acting_user=user if invited_by is not None else acting_user,
        target=membership,
        after={"role": role.name}
        | ({"invited_by": invited_by.email} if invited_by is not None else {}),
    )
    event_emit(tenant_id=tenant.pk, type="member.added", data=member_data(membership))
    send_membership_added(membership)
    return membership


@transaction.atomic
def membership_change_role(
    *,
    tenant: Tenant,
    membership: Membership,
    role: Role,
    acting_user: User | None,
    acting_as: Role | None = None,
) -> Membership:
    """Give a member another role; the last owner keeps theirs. An API key passes its
    role as `acting_as` (it is nobody's membership), checked here under the lock."""
    assert_in_tenant(tenant, membership, role)
    lock_tenant(tenant)
    assert_role_still_there(role)
    member_as_stored(membership)
    actor = acting_as or acting_role(tenant=tenant, acting_user=acting_user)
    assert_may_manage(actor=actor, membership=membership)
    assert_may_grant(actor=actor, role=role)
    if _acting_owner(membership) and not role.is_owner and owner_count(tenant) <= 1:
        raise LastOwnerError(
            _("This is the only owner. Make someone else an owner (or transfer ownership) first.")
        )
    before = membership.role.name
    membership.role = role
    membership.save(update_fields=["role"])
    if before != role.name:
        audit_record(
            tenant=tenant,
            action=TenantAction.MEMBER_ROLE_CHANGED,
            acting_user=acting_user,
            target=membership,
            before={"role": before},
            after={"role": role.name},
        )
        event_emit(
            tenant_id=tenant.pk,
            type="member.role_changed",
            data={**member_data(membership), "previous_role": {"name": before}},
        )
    return membership


@transaction.atomic
def membership_suspend(*, tenant: Tenant, membership: Membership, acting_user: User | None) -> bool:
    """The directory deactivated this person: they keep their row, role and teams but
    are refused the workspace from their next request. False when already suspended.
    The last active owner is never suspended (nobody could manage the org any more)."""
    assert_in_tenant(tenant, membership)
    lock_tenant(tenant)
    member_as_stored(membership)
    if membership.suspended_at is not None:
        return False
    if _acting_owner(membership) and owner_count(tenant) <= 1:
        raise LastOwnerError(
            _("The only active owner cannot be suspended. Make someone else an owner first.")
        )
    _contacts_hand_over(membership)
    membership.suspended_at = timezone.now()
    membership.save(update_fields=["suspended_at"])
    audit_record(
        tenant=tenant,
        action=TenantAction.MEMBER_SUSPENDED,
        acting_user=acting_user,
        target=membership,
        after={"role": membership.role.name},
    )
    send_membership_suspension_changed(membership)  # the seat is free (billing follows)
    return True


@transaction.atomic
def membership_reactivate(
    *, tenant: Tenant, membership: Membership, acting_user: User | None
) -> bool:
    """Undo `membership_suspend`: the person is back with the role they had, taking a
    seat again, so under the plan's member cap like anyone joining (PlanLimitReached)."""
    assert_in_tenant(tenant, membership)
    lock_tenant(tenant)
    member_as_stored(membership)
    if membership.suspended_at is None:
        return False
    plan_check_members(
        tenant=tenant, taken=tenant_seats_taken(tenant=tenant), adding=1, acting_user=acting_user
    )
    membership.suspended_at = None
    membership.save(update_fields=["suspended_at"])
    audit_record(
        tenant=tenant,
        action=TenantAction.MEMBER_REACTIVATED,
        acting_user=acting_user,
        target=membership,
        after={"role": membership.role.name},
    )
    send_membership_suspension_changed(membership)
    return True


@transaction.atomic
def membership_contacts_hand_over(*, membership: Membership) -> None:
    """The person can no longer act here (staff deactivated their account): their
    primary and billing contact roles pass on as when the directory suspends them.
    Refused (LastOwnerError) when they are, under the lock, its only owner who can act:
    the account's check ran before it, and a co-owner leaving at that moment left the
    organisation with none."""
    lock_tenant(membership.tenant)
    member_as_stored(membership)
    if _acting_owner(membership) and owner_count(membership.tenant) <= 1:
        raise LastOwnerError(
            _(
                "%(email)s is the only owner of %(name)s who can act. Make someone else an "
                "owner first."
            )
            % {"email": membership.user.email, "name": membership.tenant.name}
        )
    _contacts_hand_over(membership)


def _contacts_hand_over(membership: Membership) -> None:
    """Both contact roles of someone who can no longer act, under the tenant lock."""
    if membership.is_primary_contact:
        primary_contact_hand_over(membership=membership)
    billing_contact_hand_over(membership=membership)


def primary_contact_hand_over(*, membership: Membership) -> None:
    """The primary contact is leaving or was deactivated: the role passes to the first
    owner who can act (not one the directory suspended), if there is another."""
    successor = _first_other_acting_owner(membership)
    if successor is not None:
        membership_set_primary_contact(
            tenant=membership.tenant, membership=successor, acting_user=None
        )
        membership.is_primary_contact = False


def billing_contact_hand_over(*, membership: Membership) -> None:
    """A billing contact is leaving or was deactivated: when nobody else active gets
    billing email, the first owner who can act becomes a billing contact, so a failed
    payment still reaches someone. The rule un-ticking keeps
    (`billing_contact_removal_refusal`), kept for departures without refusing them: the
    directory and account deletion must not be blocked. Either way the payment
    provider hears who its receipts go to now (once: a successor's change tells it)."""
    # As stored now, under the tenant lock (the row was read before it was taken).
    fresh = (
        Membership.objects.filter(pk=membership.pk)
        .values_list("is_billing_contact", "suspended_at")
        .first()
    )
    if fresh is None or not fresh[0] or fresh[1] is not None:
        return
    others = (
        Membership.objects.for_tenant(membership.tenant)
        .filter(members_who_can_act(), is_billing_contact=True)
        .exclude(pk=membership.pk)
    )
    successor = None if others.exists() else _first_other_acting_owner(membership)
    if successor is None:  # Stripe's go to whoever remains (read after the commit)
        account_customer_email_sync_enqueue(tenant=membership.tenant)
        return
    membership_set_billing_contact(
        tenant=membership.tenant, membership=successor, is_billing_contact=True, acting_user=None
    )


def _first_other_acting_owner(membership: Membership) -> Membership | None:
    """Who takes over a contact role: the longest-standing owner who can act."""
    return (
        Membership.objects.for_tenant(membership.tenant)
        .filter(acting_owners())
        .exclude(pk=membership.pk)
        .order_by("joined_at", "pk")
        .select_related("user", "role", "tenant")
        .first()
    )


def _acting_owner(membership: Membership) -> bool:
    """An owner `owner_count` counts (`acting_owners`: not suspended by the directory,
    not deactivated by staff). Counted one way and tested another, a deactivated owner
    was "the last owner" while the one who could act was the only one counted."""
    return membership.role.is_owner and member_can_act(membership)


def membership_departure_refusal(*, membership: Membership, owners: int) -> TenantRuleError | None:
    """Why this member may not leave or be removed (None: they may). The one rule, for
    the services below and for the members page, which disables what cannot succeed.
    `owners` is the tenant's `owner_count` (the services count it under the tenant lock).
    A suspended owner may go: the owners who can act stay."""
    if membership.tenant.is_personal:
        return PersonalTenantError(_("You cannot leave or be removed from a personal workspace."))
    if _acting_owner(membership) and owners <= 1:
        return LastOwnerError(
            _("The last owner cannot leave or be removed. Transfer ownership first.")
        )
    if membership.is_primary_contact:
        return PrimaryContactError(
            _(
                "The primary contact cannot leave or be removed. Make someone else the "
                "primary contact first."
            )
        )
    return None


def _assert_may_go(membership: Membership) -> None:
    refusal = membership_departure_refusal(
        membership=membership, owners=owner_count(membership.tenant)
    )
    if refusal is not None:
        raise refusal


def _delete(membership: Membership, *, action: str, acting_user: User | None) -> None:
    tenant, user = membership.tenant, membership.user
    billing_contact_hand_over(membership=membership)
    audit_record(
        tenant=tenant,
        action=action,
        acting_user=acting_user,
        target=membership,
        before={"role": membership.role.name},
    )
    event_emit(tenant_id=tenant.pk, type="member.removed", data=member_data(membership))
    membership.delete()
    send_membership_removed(tenant=tenant, user=user)


@transaction.atomic
def membership_remove(
    *,
    tenant: Tenant,
    membership: Membership,
    acting_user: User | None,
    acting_as: Role | None = None,
) -> None:
    """Remove someone else from an org; they lose access on their next request. An API
    key passes its role as `acting_as`, as to `membership_change_role`."""
    assert_in_tenant(tenant, membership)
    lock_tenant(tenant)
    if acting_user is not None and membership.user_id == acting_user.pk:
        raise LastOwnerError(_("Use “Leave workspace” to remove yourself."))
    member_as_stored(membership)
    assert_may_manage(
        actor=acting_as or acting_role(tenant=tenant, acting_user=acting_user),
        membership=membership,
    )
    _assert_may_go(membership)
    _delete(membership, action=TenantAction.MEMBER_REMOVED, acting_user=acting_user)


@transaction.atomic
def membership_leave(
    *, tenant: Tenant, membership: Membership, account_deleted: bool = False
) -> None:
    """The member removes themselves (acting_user is the member); `account_deleted`:
    because they deleted their account, which the log says so."""
    assert_in_tenant(tenant, membership)
    lock_tenant(tenant)
    member_as_stored(membership)
    _assert_may_go(membership)
    action = TenantAction.MEMBER_ACCOUNT_DELETED if account_deleted else TenantAction.MEMBER_LEFT
    _delete(membership, action=action, acting_user=membership.user)


def primary_contact_refusal(
    *, membership: Membership, current: Membership | None, actor: Role | None
) -> DomainError | None:
    """Why `actor` may not make this member the primary contact (None: they may). The
    one rule, for the service below and for the members page, which offers "Make
    primary" only where it succeeds. `current` is the primary contact now: the role is
    taken from them, so they must be in the actor's reach too (an admin was offered the
    button while an owner was the contact, then refused). Not someone the directory or
    staff deactivated. `actor` None is the system."""
    email = membership.user.email
    if membership.suspended_at is not None:
        return PrimaryContactError(
            _(
                "%(email)s was deactivated by your identity provider and cannot be the "
                "primary contact."
            )
            % {"email": email}
        )
    if not membership.user.is_active:
        return PrimaryContactError(
            _("The account of %(email)s was deactivated and cannot be the primary contact.")
            % {"email": email}
        )
    refusal = manage_refusal(actor=actor, membership=membership)
    if refusal is not None:
        return refusal
    if current is None or current.pk == membership.pk:
        return None
    if manage_refusal(actor=actor, membership=current) is not None:
        return EscalationError(
            _(
                "%(email)s is the primary contact and holds more than your role does; ask "
                "an owner to make someone else the primary contact."
            )
            % {"email": current.user.email}
        )
    return None


@transaction.atomic
def membership_set_primary_contact(
    *, tenant: Tenant, membership: Membership, acting_user: User | None
) -> Membership:
    """Make this member the org's one primary contact, moved from whoever had it
    (`primary_contact_refusal` says who may)."""
    assert_in_tenant(tenant, membership)
    lock_tenant(tenant)
    member_as_stored(membership)
    refusal = primary_contact_refusal(
        membership=membership,
        current=primary_contact_get(tenant=tenant),
        actor=acting_role(tenant=tenant, acting_user=acting_user),
    )
    if refusal is not None:
        raise refusal
    previous = list(
        Membership.objects.for_tenant(tenant)
        .filter(is_primary_contact=True)
        .exclude(pk=membership.pk)
        .select_related("user")
    )
    Membership.objects.filter(pk__in=[m.pk for m in previous]).update(is_primary_contact=False)
    was_primary = membership.is_primary_contact
    membership.is_primary_contact = True
    membership.save(update_fields=["is_primary_contact"])
    if not was_primary:
        audit_record(
            tenant=tenant,
            action=TenantAction.MEMBER_CONTACT_CHANGED,
            acting_user=acting_user,
            target=membership,
            before={"primary_contact": ", ".join(m.user.email for m in previous) or None},
            after={"primary_contact": membership.user.email},
        )
        # The primary contact comes first among the billing contacts Stripe is told.
        account_customer_email_sync_enqueue(tenant=tenant)
    return membership


def billing_contact_removal_refusal(
    *, membership: Membership, contacts: int
) -> BillingContactError | None:
    """Why this member may not stop being a billing contact (None: they may): an org
    keeps at least one who receives billing email. `contacts` is the tenant's count of
    them who can act (`members_who_can_act`); one who cannot (suspended by the
    directory, deactivated by staff) is not among them and may always be taken off.
    The one rule, for the service below and for the members page."""
    if membership.is_billing_contact and member_can_act(membership) and contacts <= 1:
        return BillingContactError(
            _("A workspace needs at least one billing contact. Add another one first.")
        )
    return None


@transaction.atomic
def membership_set_billing_contact(
    *,
    tenant: Tenant,
    membership: Membership,
    is_billing_contact: bool,
    acting_user: User | None,
) -> Membership:
    """Add or remove a billing contact; an org keeps at least one."""
    assert_in_tenant(tenant, membership)
    lock_tenant(tenant)
    member_as_stored(membership)
    assert_may_manage(
        actor=acting_role(tenant=tenant, acting_user=acting_user), membership=membership
    )
    if is_billing_contact and membership.suspended_at is not None:
        raise BillingContactError(
            _("%(email)s was deactivated by your identity provider and gets no billing email.")
            % {"email": membership.user.email}
        )
    if is_billing_contact and not membership.user.is_active:
        raise BillingContactError(
            _("The account of %(email)s was deactivated and gets no billing email.")
            % {"email": membership.user.email}
        )
    if not is_billing_contact and membership.is_billing_contact:
        contacts = (
            Membership.objects.for_tenant(tenant)
            .filter(members_who_can_act(), is_billing_contact=True)
            .count()
        )
        refusal = billing_contact_removal_refusal(membership=membership, contacts=contacts)
        if refusal is not None:
            raise refusal
    was = membership.is_billing_contact
    membership.is_billing_contact = is_billing_contact
    membership.save(update_fields=["is_billing_contact"])
    if was != is_billing_contact:
        account_customer_email_sync_enqueue(tenant=tenant)
        audit_record(
            tenant=tenant,
            action=TenantAction.MEMBER_CONTACT_CHANGED,
            acting_user=acting_user,
            target=membership,
            before={"billing_contact": was},
            after={"billing_contact": is_billing_contact},
        )
    return membership
