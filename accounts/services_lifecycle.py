"""Deleting an account and exporting a person's data.

Accounts sits below the apps that hold a person's data, so it asks them through
the signals in accounts/signals.py (sent inside the transaction). Deletion happens
in two steps. `account_delete` (the person, with their password) has tenancy remove
them from every org through its services (so billing's seat counts follow) and
soft-delete their personal workspace, has uploads delete the avatar after commit,
revokes every session and deactivates the user: nobody can sign in as them, and their
name stays on audit entries. Their email stays reserved for
ACCOUNTS_DELETION_GRACE_DAYS (a mistaken or malicious deletion can still be undone
by an operator: reactivate the user and clear the workspace's deleted_at), then
`manage.py purge_deleted_accounts` rewrites it to a tombstone and clears the name,
which frees the address for a new sign-up. The user row is never removed: audit
events point at it (PROTECT).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone

from accounts.exceptions import LastOwnerOfOrgsError
from accounts.mail import email_enqueue
from accounts.models import KnownDevice, User
from accounts.signals import (
    account_deactivating,
    account_deleting,
    account_deletion_check,
    account_export_requested,
)
from mfa.models import FailedSignIn, Passkey, RecoveryCode, TOTPDevice
from sessions_app.models import Session
from sessions_app.services import session_revoke_all_for_user


def account_deletion_blockers(*, user: User) -> list[Any]:
    """What stops the person deleting their account, as the apps above say (tenancy:
    the live orgs where they are the only owner, by name)."""
    answers = account_deletion_check.send(sender=User, user=user)
    # Each receiver answers with a list (of orgs, today): the signal types them as Any.
    return [blocker for _receiver, blockers in answers for blocker in blockers or []]


def _refuse_for_an_only_owner(user: User) -> None:
    """Nobody could manage an org whose only owner who can act is deleted or shut out."""
    blocking = account_deletion_blockers(user=user)
    if blocking:
        raise LastOwnerOfOrgsError(blocking)


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete the account (the caller has checked the password, or is staff in the
    admin); refused while the user is the last owner of an org, naming those orgs.
    Its address is told (a security notice: someone holding the password deleted it
    silently, and the days left to restore it went by unknown)."""
    _refuse_for_an_only_owner(user)
    # Tenancy leaves the orgs and soft-deletes the personal workspace (with its audit
    # event); uploads removes the avatar.
    account_deleting.send(sender=User, user=user)
    session_revoke_all_for_user(user=user, reason=Session.RevokedReason.SIGNED_OUT)
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["is_active", "password"])
    email_enqueue(
        to=user.email,
        template="accounts/email/account_deleted",
        context={
            "user": user,
            "grace_days": settings.ACCOUNTS_DELETION_GRACE_DAYS,
            "support_email": settings.SUPPORT_EMAIL,
        },
    )


@transaction.atomic
def account_deactivate(*, user: User) -> None:
    """Staff shut an account (a compromised one, say) without deleting it. Refused, as
    deletion is, while the person is the only owner of an org who can act; their
    contact roles pass to an owner who can; every session ends, so reactivating the
    account later brings none of them back (an attacker's included)."""
    _refuse_for_an_only_owner(user)
    account_deactivating.send(sender=User, user=user)
    session_revoke_all_for_user(user=user, reason=Session.RevokedReason.ADMIN)
    user.is_active = False
    user.save(update_fields=["is_active"])


def accounts_purge_deleted(*, now: Any = None) -> int:
    """Free the emails of accounts deleted more than the grace period ago; returns how many."""
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


def account_export(*, user: User, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Everything we hold about the person, as JSON-able data (GDPR-style export).

    The profile, sessions and known devices are read here; the apps above add their
    sections through `account_export_requested` (tenancy: memberships; uploads: files;
    sso: linked accounts, organisation sign-ins and join requests); two-factor,
    passkeys and failed sign-ins come from mfa, below. Secrets stay out: no password
    hash, authenticator secret, recovery code or key, only that they exist and when
    they were used.
    `using`: the page passes `core.replica.replica_alias(request)` (a report that
    may lag by a second; the person who just changed something reads the primary).
    """
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "email": user.email,
            "name": user.name,
            "email_verified_at": iso_or_none(user.email_verified_at),
            "date_joined": iso_or_none(user.date_joined),
            "last_login": iso_or_none(user.last_login),
            "has_avatar": bool(user.avatar),
            "language": user.language,
            "time_zone": user.time_zone,
        },
    }
    for _receiver, sections in account_export_requested.send(sender=User, user=user, using=using):
        # Each receiver answers with a dict of sections; the signal types answers as Any.
        data.update(cast(dict[str, Any], sections or {}))
    data["sessions"] = [
        {
            "device": s.device,
            "ip_address": s.ip_address,
            "created_at": iso_or_none(s.created_at),
            "last_activity_at": iso_or_none(s.last_activity_at),
            "revoked_at": iso_or_none(s.revoked_at),
        }
        for s in Session.objects.using(using).filter(user=user).order_by("-created_at")
    ]
    # The (browser, network) pairs behind the new-device notice, kept after sessions go.
    data["known_devices"] = [
        {
            "user_agent": d.user_agent,
            "ip_network": d.ip_network,
            "first_seen_at": iso_or_none(d.first_seen_at),
            "last_seen_at": iso_or_none(d.last_seen_at),
        }
        for d in KnownDevice.objects.using(using).filter(user=user).order_by("first_seen_at")
    ]
    data.update(_sign_in_methods(user=user, using=using))
    return data


def _sign_in_methods(*, user: User, using: str) -> dict[str, Any]:
    """Two-factor set-up, passkeys and failed sign-ins (mfa sits below accounts): when
    each was added and used, never a secret (the authenticator's key, a code's hash,
    a passkey's public key)."""
    app = TOTPDevice.objects.using(using).filter(user=user).active().first()
    codes = list(
        RecoveryCode.objects.using(using).filter(user=user).values_list("created_at", "used_at")
    )
    passkeys = Passkey.objects.using(using).filter(user=user).order_by("created_at")
    failures = FailedSignIn.objects.using(using).filter(user=user).order_by("-created_at")
    return {
        "two_factor": {
            "authenticator_app": None
            if app is None
            else {
                "added_at": iso_or_none(app.confirmed_at),
                "last_used_at": iso_or_none(app.last_used_at),
            },
            "recovery_codes": {
                "created_at": iso_or_none(min((created for created, _ in codes), default=None)),
                "total": len(codes),
                "unused": sum(1 for _, used in codes if used is None),
            },
        },
        "passkeys": [
            {
                "name": p.name,
                "synced": p.backed_up,
                "created_at": iso_or_none(p.created_at),
                "last_used_at": iso_or_none(p.last_used_at),
            }
            for p in passkeys
        ],
        "failed_sign_ins": [
            {
                "stage": f.stage,
                "device": f.device,
                "ip_address": f.ip_address,
                "at": iso_or_none(f.created_at),
            }
            for f in failures
        ],
    }


def iso_or_none(value: Any) -> str | None:
    """A datetime as ISO 8601 (None stays None); the apps' export sections use it too."""
    return value.isoformat() if value else None
