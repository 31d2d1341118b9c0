"""Organisations that require two-factor authentication of every member.

Owners turn it on with a grace period (7 days by default): until it ends, members
without a second factor see a banner with the deadline; after it, such a member
reaches only the page telling them to set one up, in this organisation alone
(`tenants.middleware_two_factor`). Policy changes and every member's enrolment are
audited in the organisation's log.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from tenants.audit import TenantAction
from tenants.exceptions import EscalationError, PersonalTenantError
from tenants.models import Membership, Tenant
from tenants.services._common import acting_role, lock_tenant

if TYPE_CHECKING:
    from accounts.models import User

GRACE_DAYS_DEFAULT = 7
GRACE_DAYS_MAX = 90


@transaction.atomic
def tenant_two_factor_require(*, tenant: Tenant, acting_user: User, grace_days: int) -> Tenant:
    """Require two-factor authentication of every member, `grace_days` from now."""
    _assert_owner_of_org(tenant=tenant, acting_user=acting_user)
    if not 0 <= grace_days <= GRACE_DAYS_MAX:
        raise ValueError(f"grace_days must be between 0 and {GRACE_DAYS_MAX}.")
    lock_tenant(tenant)
    now = timezone.now()
    tenant.two_factor_required_at = tenant.two_factor_required_at or now
    tenant.two_factor_grace_until = now + timedelta(days=grace_days)
    tenant.save(update_fields=["two_factor_required_at", "two_factor_grace_until", "updated_at"])
    audit_record(
        tenant=tenant,
        action=TenantAction.TWO_FACTOR_REQUIRED,
        acting_user=acting_user,
        target=tenant,
        after={"grace_days": grace_days, "deadline": tenant.two_factor_grace_until.isoformat()},
    )
    return tenant


@transaction.atomic
def tenant_two_factor_release(*, tenant: Tenant, acting_user: User) -> Tenant:
    """Stop requiring two-factor authentication (members keep theirs)."""
    _assert_owner_of_org(tenant=tenant, acting_user=acting_user)
    lock_tenant(tenant)
    if tenant.two_factor_required_at is None:
        return tenant
    tenant.two_factor_required_at = None
    tenant.two_factor_grace_until = None
    tenant.save(update_fields=["two_factor_required_at", "two_factor_grace_until", "updated_at"])
    audit_record(
        tenant=tenant,
        action=TenantAction.TWO_FACTOR_OPTIONAL,
        acting_user=acting_user,
        target=tenant,
    )
    return tenant


def member_two_factor_changed(*, user: User, enabled: bool) -> None:
    """Audit a member turning two-factor on (or losing it to a reset) in every
    organisation of theirs that requires it."""
    memberships = Membership.objects.filter(
        user=user, tenant__two_factor_required_at__isnull=False, tenant__deleted_at__isnull=True
    ).select_related("tenant", "user")
    for membership in memberships:
        audit_record(
            tenant=membership.tenant,
            action=TenantAction.MEMBER_TWO_FACTOR_ON
            if enabled
            else TenantAction.MEMBER_TWO_FACTOR_OFF,
            acting_user=user if enabled else None,
            target=membership,
        )


def _assert_owner_of_org(*, tenant: Tenant, acting_user: User) -> None:
    if tenant.is_personal:
        raise PersonalTenantError(_("Only organisations can require two-factor authentication."))
    role = acting_role(tenant=tenant, acting_user=acting_user)
    if role is None or not role.is_owner:
        raise EscalationError(_("Only an owner can change the two-factor requirement."))
