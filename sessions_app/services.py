"""Session actions: create, revoke, and the password changes that end other sessions."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.db import transaction
from django.utils import timezone

from core.audit import audit_record_for_user
from sessions_app.audit import SessionAction
from sessions_app.authentication import FACTORS_KEY, SECOND_STEP_FACTORS
from sessions_app.devices import device_fields
from sessions_app.models import Session
from sessions_app.selectors import sessions_without_second_step
from sessions_app.signals import other_sessions_revoked, session_revoked
from sessions_app.tokens import token_hash

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User

logger = logging.getLogger("pacetrack.sessions")


def session_create(
    *,
    user_id: int,
    token: str,
    ip_address: str | None = None,
    user_agent: str = "",
    active_tenant_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> Session:
    """Store a new signed-in session. Only the token's SHA-256 is written.

    With SESSIONS_MAX_PER_USER set, the user's least recently active sessions beyond
    the cap are revoked in the same transaction (every sign-in path ends here).
    """
    if not token:
        raise ValueError("A session needs a token.")
    now = timezone.now()
    row = Session(
        user_id=user_id,
        token_hash=token_hash(token),
        created_at=now,
        last_activity_at=now,
        expires_at=now + timedelta(seconds=settings.SESSION_COOKIE_AGE),
        ip_address=ip_address or None,
        user_agent=user_agent[:500],
        **device_fields(user_agent),
        active_tenant_id=active_tenant_id,
        data=data or {},
    )
    limit = settings.SESSIONS_MAX_PER_USER
    if not limit:
        row.save(force_insert=True)
        return row
    with transaction.atomic():
        # One sign-in at a time per user, so two at once cannot both see room for themselves.
        list(get_user_model().objects.select_for_update().filter(pk=user_id).values_list("pk"))
        row.save(force_insert=True)
        _revoke_over_limit(user_id=user_id, keep=row, limit=limit)
    return row


def _revoke_over_limit(*, user_id: int, keep: Session, limit: int) -> int:
    """Revoke the live sessions of the user beyond `limit`, least recently active first;
    `keep` (the new sign-in) always stays. The devices page lists what was signed out."""
    others = (
        Session.objects.filter(user_id=user_id)
        .active()
        .exclude(pk=keep.pk)
        .order_by("-last_activity_at", "-created_at", "-pk")
    )
    over = list(others.values_list("pk", flat=True)[max(limit - 1, 0) :])
    if not over:
        return 0
    count = Session.objects.filter(pk__in=over, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=Session.RevokedReason.SESSION_LIMIT
    )
    logger.info(
        "user %s: %s session(s) revoked by a new sign-in (SESSIONS_MAX_PER_USER=%s)",
        user_id,
        count,
        limit,
    )
    return count


def _audit_admin_revoke(
    *, user_id: int, acting_user: User | None, target: Any, label: str, after: dict[str, Any]
) -> None:
    """Staff revocations land in the user's personal audit log (sessions have no tenant)."""
    audit_record_for_user(
        user_id=user_id,
        action=SessionAction.REVOKED,
        acting_user=acting_user,
        target=target,
        target_label=label,
        after=after,
    )


@transaction.atomic
def session_revoke(*, session: Session, reason: str, acting_user: User | None = None) -> bool:
    """Revoke one session; it is refused on that device's next request.

    Returns False when it was already revoked (the first reason is kept). A
    revocation by someone else (staff) is written to the user's audit log.
    """
    now = timezone.now()
    updated = Session.objects.filter(pk=session.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_reason=reason, revoked_by=acting_user
    )
    if updated and (
        reason == Session.RevokedReason.ADMIN
        or (acting_user is not None and acting_user.pk != session.user_id)
    ):
        _audit_admin_revoke(
            user_id=session.user_id,
            acting_user=acting_user,
            target=session,
            # No words of ours: the log is read in its reader's language, this is stored.
            label=" · ".join(filter(None, [session.browser, session.system, session.ip_address]))
            or "—",
            after={"reason": reason},
        )
    if updated:
        session.revoked_at, session.revoked_reason = now, reason
        session.revoked_by = acting_user
        session_revoked.send(
            sender=Session, session=session, reason=reason, acting_user=acting_user
        )
        if acting_user is not None and acting_user.pk != session.user_id:
            logger.info(
                "session %s of user %s revoked by user %s (%s)",
                session.pk,
                session.user_id,
                acting_user.pk,
                reason,
            )
    return bool(updated)


def session_end_told(*, row_id: int) -> bool:
    """Mark a revoked session's end as told to its browser (`sessions_app.notices`),
    once: its cookie, replayed by whoever kept a copy, then says nothing. Its own
    column: the times of the row (its expiry, when it was revoked) stay as they were
    for whoever looks into it later, and a copy of the cookie cannot change them.
    True if this call marked it (a copy racing it is not told)."""
    marked = Session.objects.filter(
        pk=row_id, revoked_at__isnull=False, end_told_at__isnull=True
    ).update(end_told_at=timezone.now())
    return bool(marked)


def session_revoke_all_for_user(
    *,
    user: User,
    reason: str,
    except_session: Session | None = None,
    acting_user: User | None = None,
) -> int:
    """Revoke every live session of the user but `except_session`; returns how many.
    Announced with `other_sessions_revoked` (mfa forgets the trusted browsers)."""
    sessions = Session.objects.filter(user=user, revoked_at__isnull=True)
    if except_session is not None:
        sessions = sessions.exclude(pk=except_session.pk)
    with transaction.atomic():
        count = sessions.update(
            revoked_at=timezone.now(), revoked_reason=reason, revoked_by=acting_user
        )
        # Sent even when no other device was signed in: a browser trusted to skip the
        # second step could sign in again with the password alone (mfa forgets them).
        other_sessions_revoked.send(
            sender=Session, user=user, reason=reason, acting_user=acting_user
        )
        if count and reason == Session.RevokedReason.ADMIN:
            _audit_admin_revoke(
                user_id=user.pk,
                acting_user=acting_user,
                target=user,
                label=user.email,  # "sessions": how many, beside it
                after={"reason": reason, "sessions": count},
            )
        elif count and reason == Session.RevokedReason.REVOKED_BY_USER:
            _others_signed_out_record(user=user, acting_user=acting_user, count=count)
    return count


def _others_signed_out_record(*, user: User, acting_user: User | None, count: int) -> None:
    """In the person's own log, beside their password and email changes."""
    audit_record_for_user(
        user_id=user.pk,
        action=SessionAction.OTHERS_SIGNED_OUT,
        acting_user=acting_user,
        target=user,
        target_label=user.email,
        after={"sessions": count},
    )


def session_revoke_without_second_step(*, user: User, except_session: Session | None) -> int:
    """Sign out the person's other sessions that signed in with less than two-factor
    now asks for (typically before they turned it on); returns how many. In their own
    log as "Other devices signed out", as the devices page's button is."""
    pks = [s.pk for s in sessions_without_second_step(user=user, except_session=except_session)]
    with transaction.atomic():
        count = Session.objects.filter(pk__in=pks, revoked_at__isnull=True).update(
            revoked_at=timezone.now(),
            revoked_reason=Session.RevokedReason.REVOKED_BY_USER,
            revoked_by=user,
        )
        if count:
            _others_signed_out_record(user=user, acting_user=user, count=count)
    return count


def session_second_factors_forget(*, user: User) -> int:
    """The person has no second factor any more: their live sessions stop counting the
    one they proved, or the trusted browser that stood in for it
    (`session_has_second_factor` reads it from the session, with no query), so an
    organisation that requires two-factor asks them again. Returns how many sessions
    changed. A request of one of them that writes its session later in the same response
    would put the claim back; the pages that remove a method write none."""
    changed = 0
    for row in Session.objects.filter(user=user, revoked_at__isnull=True).only("pk", "data"):
        factors = row.data.get(FACTORS_KEY)
        if not isinstance(factors, list):
            continue
        kept = [code for code in factors if code not in SECOND_STEP_FACTORS]
        if kept != factors:
            Session.objects.filter(pk=row.pk).update(data={**row.data, FACTORS_KEY: kept})
            changed += 1
    return changed


def session_revoke_in_tenant(*, user: User, tenant_id: int, reason: str) -> int:
    """Revoke the user's live sessions that are working in this tenant (its last
    `/t/<slug>/` page); returns how many. Sessions carry no other tie to a tenant: the
    membership check of every tenant request is what keeps the rest out of it."""
    return Session.objects.filter(
        user=user, active_tenant_id=tenant_id, revoked_at__isnull=True
    ).update(revoked_at=timezone.now(), revoked_reason=reason)


def _current_row(request: HttpRequest) -> Session | None:
    return getattr(request.session, "row", None)


@transaction.atomic
def password_change(*, request: HttpRequest, user: User, password: str) -> int:
    """Set a new password chosen by the signed-in user.

    This device stays signed in (on a new token); every other session is
    revoked. Returns how many other sessions were signed out.
    """
    user.set_password(password)
    user.save(update_fields=["password"])
    update_session_auth_hash(request, user)  # rotates this session's token
    request.session.save()
    return session_revoke_all_for_user(
        user=user,
        reason=Session.RevokedReason.PASSWORD_CHANGED,
        except_session=_current_row(request),
    )


def session_cleanup(*, days: int = 30, batch_size: int = 1000) -> dict[str, int]:
    """Delete rows expired or revoked more than `days` ago, `batch_size` at a time.

    Small batches keep each DELETE short so sign-ins are never blocked behind it.
    Returns {"expired": n, "revoked": m}.
    """
    if days < 0 or batch_size < 1:
        raise ValueError("days must be >= 0 and batch_size >= 1.")
    cutoff = timezone.now() - timedelta(days=days)
    counts = {}
    for label, stale in (
        ("revoked", Session.objects.filter(revoked_at__lt=cutoff)),
        ("expired", Session.objects.filter(revoked_at__isnull=True, expires_at__lt=cutoff)),
    ):
        total = 0
        while True:
            ids = list(stale.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            deleted, _ = Session.objects.filter(pk__in=ids).delete()
            total += deleted
        counts[label] = total
    return counts
