"""Trusted browsers: "Don't ask again on this browser" at the sign-in's second step.

A browser is trusted only after a second step it passed with the box ticked. It keeps
a random 32-byte token (mfa/trusted.py puts it in a cookie); the server keeps its
SHA-256 with the user, so the token is good for that one account, until it expires
(MFA_TRUST_DAYS after it was given) or is forgotten: by the person on their security
page, when their password changes or is reset, when every other device is signed out
(`sessions_app.signals.other_sessions_revoked`) and when two-factor turns off.
Trust skips the sign-in's second step only; "Confirm it's you" still asks for a code.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.audit import audit_record_for_user
from core.security_log import security_event
from mfa.audit import MfaAction
from mfa.models import TrustedBrowser
from sessions_app.devices import device_fields

if TYPE_CHECKING:
    from accounts.models import User

TOKEN_BYTES = 32


def trusted_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def trust_is_offered() -> bool:
    """MFA_TRUST_DAYS 0 turns the offer off, and ignores the trust given before."""
    return settings.MFA_TRUST_DAYS > 0


@transaction.atomic
def trusted_browser_add(*, user: User, user_agent: str) -> tuple[TrustedBrowser, str]:
    """Trust this browser of `user` for MFA_TRUST_DAYS; returns it and the raw token for
    its cookie (never stored). Their expired trusted browsers are dropped at the same time."""
    if not trust_is_offered():
        raise ValueError("Trusted browsers are off (MFA_TRUST_DAYS = 0).")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = timezone.now()
    TrustedBrowser.objects.filter(user=user, expires_at__lte=now).delete()
    row = TrustedBrowser.objects.create(
        user=user,
        token_hash=trusted_token_hash(token),
        created_at=now,
        expires_at=now + timedelta(days=settings.MFA_TRUST_DAYS),
        **device_fields(user_agent),
    )
    audit_record_for_user(
        user_id=user.pk,
        action=MfaAction.BROWSER_TRUSTED,
        acting_user=user,
        target=row,
        target_label=row.device,
        after={"days": settings.MFA_TRUST_DAYS},
    )
    return row, token


def trusted_browser_find(*, user: User, token: str) -> TrustedBrowser | None:
    """The unexpired trust `token` gives `user`, or None. Looked up by the token's hash
    (the database compares hashes, never the secret); the row must be this user's own,
    and younger than MFA_TRUST_DAYS too (a period shortened since takes effect at once)."""
    if not token or not trust_is_offered():
        return None
    digest = trusted_token_hash(token)
    now = timezone.now()
    row = TrustedBrowser.objects.filter(
        token_hash=digest,
        expires_at__gt=now,
        created_at__gt=now - timedelta(days=settings.MFA_TRUST_DAYS),
    ).first()
    return row if row is not None and row.user_id == user.pk else None


@transaction.atomic
def trusted_browser_sign_in(*, user: User, token: str, ip: str | None) -> TrustedBrowser | None:
    """The trusted browser that lets the right password of `user` sign in here without
    the second step (its `token` is one they trusted, unexpired), or None. Marks it used
    and logs the skip (`second_factor.skipped`); a token that does not match is logged
    and refused."""
    row = trusted_browser_find(user=user, token=token)
    if row is None:
        if token:
            security_event("trusted_browser.refused", user_id=user.pk, ip=ip or "")
        return None
    TrustedBrowser.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    security_event(
        "second_factor.skipped",
        level=logging.INFO,
        user_id=user.pk,
        reason="trusted_browser",
        trusted_browser=row.pk,
        ip=ip or "",
    )
    return row


@transaction.atomic
def trusted_browser_forget(
    *, user: User, pk: int, acting_user: User | None = None
) -> TrustedBrowser | None:
    """Forget one of `user`'s trusted browsers (their security page's "Forget", or its
    session signed out: `acting_user` staff who did, None the person); its next sign-in
    asks for the second step again. Returns the forgotten row (unsaved), or None when
    `user` has no such browser (another person's is not theirs to forget)."""
    row = TrustedBrowser.objects.select_for_update().filter(user=user, pk=pk).first()
    if row is None:
        return None
    TrustedBrowser.objects.filter(pk=row.pk).delete()
    audit_record_for_user(
        user_id=user.pk,
        action=MfaAction.BROWSER_FORGOTTEN,
        acting_user=acting_user or user,
        target=user,
        target_label=row.device,
    )
    return row


@transaction.atomic
def trusted_browsers_forget_all(*, user: User, acting_user: User | None) -> int:
    """Forget every trusted browser of `user` ("Forget all", a password change or reset,
    every other device signed out, two-factor off); returns how many. Audited when
    there were any (`acting_user` None: the system)."""
    count, _ = TrustedBrowser.objects.filter(user=user).delete()
    if count:
        audit_record_for_user(
            user_id=user.pk,
            action=MfaAction.BROWSERS_FORGOTTEN,
            acting_user=acting_user,
            target=user,
            target_label=user.email,
            after={"browsers": count},
        )
    return count
