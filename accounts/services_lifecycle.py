"""Deleting an account and exporting a person's data.

Deletion happens in two steps. `account_delete` (the person, with their password)
removes them from every org through the tenancy service (so billing's seat counts
follow), soft-deletes their personal workspace, revokes every session, deletes the
avatar after commit and deactivates the user: nobody can sign in as them, and their
name stays on audit entries. Their email stays reserved for
ACCOUNTS_DELETION_GRACE_DAYS (a mistaken or malicious deletion can still be undone
by an operator: reactivate the user and clear the workspace's deleted_at), then
`manage.py purge_deleted_accounts` rewrites it to a tombstone and clears the name,
which frees the address for a new sign-up. The user row is never removed: audit
events point at it (PROTECT).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tenants.audit import audit_record
from tenants.models import AuditEvent, Membership, Role, Tenant

if TYPE_CHECKING:
    from accounts.models import User


class LastOwnerOfOrgsError(Exception):
    """The user is the only owner of these orgs; `orgs` names them."""

    def __init__(self, orgs: list[Tenant]) -> None:
        self.orgs = orgs
        names = ", ".join(f"“{t.name}”" for t in orgs)
        super().__init__(
            f"You are the only owner of {names}. Transfer ownership or delete "
            f"{'it' if len(orgs) == 1 else 'them'} before deleting your account."
        )


def orgs_blocking_deletion(*, user: User) -> list[Tenant]:
    """Live orgs where the user is the only owner (one query)."""
    owned = Membership.objects.filter(
        user=user, role__key=Role.Key.OWNER, tenant__kind=Tenant.Kind.ORG
    ).filter(tenant__deleted_at__isnull=True)
    tenants = Tenant.objects.filter(pk__in=owned.values("tenant_id")).order_by("name")
    return [
        t
        for t in tenants.prefetch_related("memberships__role")
        if sum(1 for m in t.memberships.all() if m.role.key == Role.Key.OWNER) == 1
    ]


def _hand_over_primary_contact(membership: Membership) -> None:
    """Before leaving, the primary contact role passes to another owner."""
    from tenants.services import membership_set_primary_contact

    successor = (
        Membership.objects.for_tenant(membership.tenant)
        .filter(role__key=Role.Key.OWNER)
        .exclude(pk=membership.pk)
        .order_by("joined_at")
        .first()
    )
    if successor is not None:
        membership_set_primary_contact(
            tenant=membership.tenant, membership=successor, acting_user=None
        )
        membership.is_primary_contact = False


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete the account (the caller has checked the password, or is staff in the
    admin); refused while the user is the last owner of an org, naming those orgs."""
    from sessions_app.models import Session
    from sessions_app.services import session_revoke_all_for_user
    from tenants.services import membership_leave
    from uploads.services import avatar_remove

    blocking = orgs_blocking_deletion(user=user)
    if blocking:
        raise LastOwnerOfOrgsError(blocking)
    memberships = Membership.objects.filter(user=user, tenant__kind=Tenant.Kind.ORG)
    for membership in memberships.select_related("tenant", "role", "user"):
        if membership.is_primary_contact:
            _hand_over_primary_contact(membership)
        membership_leave(tenant=membership.tenant, membership=membership)
    if user.avatar:
        avatar_remove(user=user)
    personal = Tenant.objects.filter(personal_owner=user).first()
    if personal is not None and not personal.is_deleted:
        personal.deleted_at = timezone.now()
        personal.save(update_fields=["deleted_at", "updated_at"])
        audit_record(
            tenant=personal,
            action=AuditEvent.Action.ACCOUNT_DELETED,
            acting_user=user,
            target=user,
            before={"email": user.email},
        )
    session_revoke_all_for_user(user=user, reason=Session.RevokedReason.SIGNED_OUT)
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["is_active", "password"])


def accounts_purge_deleted(*, now: Any = None) -> int:
    """Free the emails of accounts deleted more than the grace period ago; returns how many."""
    from accounts.models import User

    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ACCOUNTS_DELETION_GRACE_DAYS)
    users = User.objects.filter(
        is_active=False,
        personal_tenant__deleted_at__lt=cutoff,
    ).exclude(email__endswith="@deleted.invalid")
    count = 0
    for user in users:
        with transaction.atomic():
            user.email = f"deleted-{user.pk}@deleted.invalid"
            user.name = ""
            user.save(update_fields=["email", "name"])
            count += 1
    return count


def account_export(*, user: User) -> dict[str, Any]:
    """Everything we hold about the person, as JSON-able data (GDPR-style export)."""
    from sessions_app.models import Session
    from uploads.models import Upload

    memberships = Membership.objects.filter(user=user).select_related("tenant", "role")
    return {
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "email": user.email,
            "name": user.name,
            "email_verified_at": _iso(user.email_verified_at),
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "has_avatar": bool(user.avatar),
        },
        "memberships": [
            {
                "workspace": m.tenant.name,
                "slug": m.tenant.slug,
                "kind": m.tenant.kind,
                "role": m.role.name,
                "primary_contact": m.is_primary_contact,
                "billing_contact": m.is_billing_contact,
                "joined_at": _iso(m.joined_at),
            }
            for m in memberships
        ],
        "sessions": [
            {
                "device": s.device,
                "ip_address": s.ip_address,
                "created_at": _iso(s.created_at),
                "last_activity_at": _iso(s.last_activity_at),
                "revoked_at": _iso(s.revoked_at),
            }
            for s in Session.objects.filter(user=user).order_by("-created_at")
        ],
        "uploads": [
            {
                "workspace": u.tenant.name,
                "filename": u.original_filename,
                "content_type": u.content_type,
                "size": u.size,
                "kind": u.kind,
                "created_at": _iso(u.created_at),
            }
            for u in Upload.objects.filter(uploaded_by=user).select_related("tenant")
        ],
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None
