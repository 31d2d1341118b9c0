"""Two-factor actions: set up and remove an authenticator app, recovery codes, and
checking a second factor (with its own failure budget).

Every change is audited in the person's personal workspace log and announced with
`mfa.signals.two_factor_changed`, which accounts answers with a notice email, both
inside the service's transaction.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext

from core.audit import audit_record_for_user
from core.i18n import said_later
from core.security_log import security_event
from mfa.audit import MfaAction
from mfa.crypto import secret_decrypt, secret_encrypt, secret_rotate
from mfa.exceptions import SecondFactorInvalid, SecondFactorThrottled, TwoFactorStateError
from mfa.models import FailedSignIn, Passkey, RecoveryCode, TOTPDevice
from mfa.recovery import COUNT, recovery_code_hash, recovery_code_new
from mfa.selectors import second_step_required
from mfa.services_trusted import trusted_browsers_forget_all
from mfa.signals import (
    second_factor_paused,
    two_factor_changed,
    two_factor_removal_check,
    two_factor_state_changed,
)
from mfa.totp import totp_match_step, totp_secret_new
from ratelimit.backends import Usage
from ratelimit.keys import ip_identity
from ratelimit.services import ratelimit_consume, ratelimit_release, tier_rate
from sessions_app.authentication import Factor
from sessions_app.devices import device_fields
from sessions_app.services import session_second_factors_forget

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger("pacetrack.mfa")

# An authenticator app being set up keeps its secret this long (a reload shows the
# same QR code); after that the page starts over with a new one.
SETUP_LIFETIME = timedelta(minutes=30)
FAILED_SIGN_IN_KEEP_DAYS = 90
# Failed codes per account (every second-factor check) and per IP (the sign-in step);
# from a browser that signed in to the account before, per that browser instead.
ACCOUNT_TIER = "mfa-account"
IP_TIER = "mfa"
DEVICE_TIER = "mfa-device"
# The "codes were paused" email: at most one an hour per account.
NOTICE_TIER = "mfa-notice"
_KEY_TYPES = {ACCOUNT_TIER: "user", IP_TIER: "ip", DEVICE_TIER: "device"}  # security log

WRONG_TOTP = gettext_lazy(
    "That code isn't right or was already used. Enter the newest code from your authenticator app."
)
WRONG_RECOVERY_CODE = gettext_lazy("That recovery code isn't right or was already used.")


def user_lock(user: User) -> None:
    """Serialise two-factor changes of one person (double clicks, two tabs)."""
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))


def change_record(
    *,
    user: User,
    action: MfaAction,
    acting_user: User | None,
    target: Any = None,
    detail: str | Promise = "",
    after: dict[str, Any] | None = None,
) -> None:
    audit_record_for_user(
        user_id=user.pk,
        action=action,
        acting_user=acting_user,
        target=target if target is not None and target.pk is not None else user,
        target_label=user.email,
        after=after,
    )
    two_factor_changed.send(sender=MfaAction, user=user, action=action, detail=detail)


def state_changed(*, user: User, enabled: bool, acting_user: User | None = None) -> None:
    """Announce that two-factor sign-in turned on or off for `user`; off, their sessions
    stop counting the second factor they proved and their trusted browsers are
    forgotten (turned on again, no browser skips the new second step)."""
    if not enabled:
        session_second_factors_forget(user=user)
        trusted_browsers_forget_all(user=user, acting_user=acting_user)
    two_factor_state_changed.send(sender=MfaAction, user=user, enabled=enabled)


def removal_assert_allowed(*, user: User, remaining: bool) -> None:
    """Refuse removing the last second factor of someone who must keep one."""
    if remaining:
        return
    reasons = [
        reason
        for _, answer in two_factor_removal_check.send(sender=MfaAction, user=user)
        for reason in answer or []
    ]
    if reasons:
        # Each name quoted as the reader's language quotes („Acme“, «Acme»).
        names = ", ".join(pgettext("a quoted name", "“%(name)s”") % {"name": r} for r in reasons)
        raise TwoFactorStateError(
            ngettext(
                "%(organisations)s requires two-factor authentication: add another way to "
                "sign in (a passkey or an authenticator app) before removing this one.",
                "%(organisations)s require two-factor authentication: add another way to "
                "sign in (a passkey or an authenticator app) before removing this one.",
                len(reasons),
            )
            % {"organisations": names}
        )


# --- Authenticator app ----------------------------------------------------------


@transaction.atomic
def totp_setup_begin(*, user: User) -> tuple[TOTPDevice, str]:
    """The authenticator app being set up and its secret, started afresh when none is
    in progress or the last one is older than SETUP_LIFETIME. Nothing is active until
    `totp_confirm` accepts a code from it."""
    user_lock(user)
    pending = TOTPDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    if pending is not None and timezone.now() - pending.created_at < SETUP_LIFETIME:
        return pending, secret_decrypt(pending.secret_encrypted)
    if pending is not None:
        pending.delete()
    secret = totp_secret_new()
    device = TOTPDevice.objects.create(user=user, secret_encrypted=secret_encrypt(secret))
    return device, secret


@transaction.atomic
def totp_confirm(*, user: User, code: str) -> list[str]:
    """Activate the app being set up with one valid code from it; it replaces an app
    already active. Returns fresh recovery codes when the person has none left
    (shown once), else []."""
    user_lock(user)
    pending = TOTPDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    now = timezone.now()
    if pending is None or now - pending.created_at >= SETUP_LIFETIME:
        raise TwoFactorStateError(
            gettext("This set-up expired. Scan the new QR code below and enter the code it shows.")
        )
    step = totp_match_step(secret_decrypt(pending.secret_encrypted), code)
    if step is None:
        raise SecondFactorInvalid(
            gettext(
                "That code doesn't match. Check that the time on your phone is right and "
                "enter the newest code."
            )
        )
    was_enabled = second_step_required(user=user)
    replaced, _ = TOTPDevice.objects.filter(user=user).active().delete()
    pending.confirmed_at = now
    pending.last_used_at = now
    pending.last_used_step = step  # the code just typed cannot be replayed at sign-in
    pending.save(update_fields=["confirmed_at", "last_used_at", "last_used_step"])
    change_record(
        user=user,
        action=MfaAction.TOTP_ENABLED,
        acting_user=user,
        target=pending,
        detail=gettext_lazy("It replaced your previous authenticator app.") if replaced else "",
        after={"replaced": bool(replaced)},
    )
    if not was_enabled:
        state_changed(user=user, enabled=True)
    if RecoveryCode.objects.filter(user=user, used_at__isnull=True).exists():
        return []
    return recovery_codes_replace(user=user, acting_user=user)


@transaction.atomic
def totp_remove(*, user: User, acting_user: User) -> None:
    """Remove the active authenticator app. Without another method left, two-factor
    sign-in is off and the recovery codes go with it."""
    user_lock(user)
    active = TOTPDevice.objects.filter(user=user).active()
    if not active.exists():
        raise TwoFactorStateError(gettext("There is no authenticator app to remove."))
    removal_assert_allowed(user=user, remaining=Passkey.objects.filter(user=user).exists())
    active.delete()
    change_record(user=user, action=MfaAction.TOTP_REMOVED, acting_user=acting_user)
    if not second_step_required(user=user):
        RecoveryCode.objects.filter(user=user).delete()
        state_changed(user=user, enabled=False, acting_user=acting_user)


def _second_factors_delete(user: User) -> dict[str, int]:
    """Every second factor of `user` deleted: how many of each went (audit keys)."""
    return {
        "authenticator_apps": TOTPDevice.objects.filter(user=user).delete()[0],
        "passkeys": Passkey.objects.filter(user=user).delete()[0],
        "recovery_codes": RecoveryCode.objects.filter(user=user).delete()[0],
    }


@transaction.atomic
def two_factor_reset(*, user: User, acting_user: User | None = None) -> dict[str, int]:
    """An operator's reset for someone who lost every second factor: their authenticator
    app, passkeys and recovery codes are removed, so the password alone signs in again.
    Audited (as the system when `acting_user` is None) and emailed to the person."""
    user_lock(user)
    was_enabled = second_step_required(user=user)
    removed = _second_factors_delete(user)
    change_record(
        user=user,
        action=MfaAction.RESET,
        acting_user=acting_user,
        detail=gettext_lazy(
            "An administrator removed your authenticator app, passkeys and recovery codes: "
            "your password alone signs you in until you set them up again."
        ),
        after=removed,
    )
    if was_enabled:
        state_changed(user=user, enabled=False, acting_user=acting_user)
    return removed


def two_factor_discard(*, user: User) -> dict[str, int]:
    """Remove every second factor without the notice an operator's reset sends: the
    address's owner has just claimed an account someone else may have made
    (accounts.services_security.unproven_address_claimed), so what was set up on it
    belongs to its maker. The caller writes the audit event. Returns what went."""
    user_lock(user)
    was_enabled = second_step_required(user=user)
    removed = _second_factors_delete(user)
    if was_enabled:
        state_changed(user=user, enabled=False)
    return removed


# --- Recovery codes ---------------------------------------------------------------


def recovery_codes_replace(*, user: User, acting_user: User | None) -> list[str]:
    codes = [recovery_code_new() for _ in range(COUNT)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=recovery_code_hash(code)) for code in codes
    )
    change_record(
        user=user,
        action=MfaAction.RECOVERY_CODES_GENERATED,
        acting_user=acting_user,
        detail=gettext_lazy("Any codes you saved before no longer work."),
        after={"codes": COUNT},
    )
    return codes


@transaction.atomic
def recovery_codes_generate(*, user: User) -> list[str]:
    """A new set of recovery codes (the old ones stop working); shown once."""
    user_lock(user)
    if not second_step_required(user=user):
        raise TwoFactorStateError(
            gettext("Recovery codes back up an authenticator app or a passkey. Add one first.")
        )
    return recovery_codes_replace(user=user, acting_user=user)


# --- Checking a second factor -------------------------------------------------------


def _totp_accept(*, user: User, code: str) -> bool:
    """True once per time step for a right code (the step is recorded under a lock,
    so a code replayed in parallel is refused too)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user).active().first()
        if device is None:
            return False
        step = totp_match_step(secret_decrypt(device.secret_encrypted), code)
        if step is None:
            return False
        if step <= device.last_used_step:
            security_event("second_factor.replayed", user_id=user.pk)
            return False
        device.last_used_step = step
        device.last_used_at = timezone.now()
        device.secret_encrypted = secret_rotate(device.secret_encrypted)
        device.save(update_fields=["last_used_step", "last_used_at", "secret_encrypted"])
        return True


def _recovery_code_accept(*, user: User, code: str) -> bool:
    with transaction.atomic():
        row = (
            RecoveryCode.objects.select_for_update()
            .filter(user=user, code_hash=recovery_code_hash(code), used_at__isnull=True)
            .first()
        )
        if row is None:
            return False
        row.used_at = timezone.now()
        row.save(update_fields=["used_at"])
        left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
        change_record(
            user=user,
            action=MfaAction.RECOVERY_CODE_USED,
            acting_user=user,
            detail=said_later(
                lambda: (
                    ngettext(
                        "You have %(left)s recovery code left.",
                        "You have %(left)s recovery codes left.",
                        left,
                    )
                    % {"left": left}
                )
            ),
            after={"left": left},
        )
        return True


def attempt_count(
    user: User | None, ip: str | None, *, device: str | None = None
) -> list[tuple[str, str, Usage | None]]:
    """Count this attempt against its budgets before it is checked, so parallel guesses
    cannot exceed them; a refusal takes back what it counted. The caller releases the
    hits when the attempt turns out right.

    The budgets are the account's and the address's, or, from a browser that has signed
    in to this account before (`device`, ratelimit's known-device id), that browser's
    alone: someone who has the password and fails on purpose pauses codes from new
    devices only, as sign-in's own limiter does, and the owner's browsers keep working."""
    if device is not None and user is not None:
        checks = [(DEVICE_TIER, device)]
    else:
        checks = ([(ACCOUNT_TIER, str(user.pk))] if user is not None else []) + (
            [(IP_TIER, ip_identity(ip))] if ip else []
        )
    counted: list[tuple[str, str, Usage | None]] = []
    for tier, identity in checks:
        usage = ratelimit_consume(tier=tier, identity=identity)
        if usage is not None and not usage.allowed:
            for earlier_tier, earlier_identity, earlier in counted:
                ratelimit_release(tier=earlier_tier, identity=earlier_identity, usage=earlier)
            security_event(
                "ratelimit.refused",
                tier=tier,
                key_type=_KEY_TYPES[tier],
                user_id=user.pk if user is not None else "",
                ip=ip or "",
            )
            raise SecondFactorThrottled(minutes=-(-usage.retry_after // 60))
        counted.append((tier, identity, usage))
    return counted


def attempt_failed(
    *, user: User, counted: list[tuple[str, str, Usage | None]], ip: str | None
) -> None:
    """A wrong code that used up the account's budget pauses codes from new devices:
    the owner is emailed (at most hourly), since whoever typed it knew the password."""
    if not any(
        tier == ACCOUNT_TIER and usage is not None and usage.remaining == 0
        for tier, _, usage in counted
    ):
        return
    security_event("second_factor.paused", level=logging.WARNING, user_id=user.pk, ip=ip or "")
    notice = ratelimit_consume(tier=NOTICE_TIER, identity=str(user.pk))
    if notice is not None and not notice.allowed:
        return
    minutes = tier_rate(ACCOUNT_TIER).window_ms // 60_000
    second_factor_paused.send(sender=MfaAction, user=user, minutes=minutes)


def second_factor_check(
    *, user: User, factor: str, code: str, ip: str | None = None, device: str | None = None
) -> None:
    """Accept `code` as `factor` (Factor.TOTP or Factor.RECOVERY_CODE) for `user`, or
    raise SecondFactorInvalid / SecondFactorThrottled.

    Each attempt counts against the account's budget (tier `mfa-account`, shared by
    sign-in and re-authentication) and, given `ip`, the address's (tier `mfa`), or
    against this browser's (`mfa-device`) when it has signed in to the account before
    (`device`); a right code takes its hits back. A used recovery code is spent and its
    owner told.
    """
    counted = attempt_count(user, ip, device=device)
    if factor == Factor.TOTP:
        accepted, wrong = _totp_accept(user=user, code=code), WRONG_TOTP
    elif factor == Factor.RECOVERY_CODE:
        accepted, wrong = _recovery_code_accept(user=user, code=code), WRONG_RECOVERY_CODE
    else:
        raise ValueError(f"{factor!r} is not checked by code.")
    if accepted:
        for tier, identity, usage in counted:
            ratelimit_release(tier=tier, identity=identity, usage=usage)
        return
    security_event("second_factor.failed", user_id=user.pk, factor=factor, ip=ip or "")
    attempt_failed(user=user, counted=counted, ip=ip)
    raise SecondFactorInvalid(wrong)


def sign_in_second_factor(
    *, user: User, factor: str, code: str, ip: str | None, device: str | None, user_agent: str
) -> None:
    """`second_factor_check` for the sign-in's second step; a wrong code is listed on
    the person's security page."""
    try:
        second_factor_check(user=user, factor=factor, code=code, ip=ip, device=device)
    except SecondFactorInvalid:
        failed_sign_in_record(
            user_id=user.pk,
            stage=FailedSignIn.Stage.SECOND_FACTOR,
            ip=ip,
            user_agent=user_agent,
        )
        raise


def failed_sign_in_record(
    *, user_id: int, stage: str, ip: str | None, user_agent: str
) -> FailedSignIn:
    """Remember a failed sign-in for the account's security page; rows older than
    FAILED_SIGN_IN_KEEP_DAYS are dropped at the same time."""
    now = timezone.now()
    with transaction.atomic():
        FailedSignIn.objects.filter(
            user_id=user_id, created_at__lt=now - timedelta(days=FAILED_SIGN_IN_KEEP_DAYS)
        ).delete()
        return FailedSignIn.objects.create(
            user_id=user_id,
            stage=stage,
            created_at=now,
            # "0.0.0.0" is client_ip's "nothing usable", not an address.
            ip_address=ip if ip and ip != "0.0.0.0" else None,  # noqa: S104
            **device_fields(user_agent),
        )
