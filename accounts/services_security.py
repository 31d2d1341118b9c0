"""Account protection: the current-password check, the "sign-in paused" and "codes
paused" notices, the notice of every password change and of every two-factor change.

The first two sit on the rate limiter (`ratelimit.services`); the sign-in limits
themselves are applied by `ratelimit.middleware` to every sign-in form, the admin's
included.
"""

from __future__ import annotations

from typing import Literal, cast

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, ngettext

from accounts.audit import AccountAction
from accounts.mail import email_enqueue
from accounts.mail_delivery import absolute_url
from accounts.models import User, normalize_email
from accounts.signals import unproven_address_claimed as address_claimed_signal
from accounts.task_queue import task_enqueue_transactional
from accounts.tasks import sign_in_paused_deliver
from core.audit import audit_record_for_user
from core.security_log import security_event
from mfa.audit import MfaAction
from mfa.services import two_factor_discard
from ratelimit.services import ratelimit_consume, ratelimit_release
from sessions_app.models import Session
from sessions_app.services import password_change, session_revoke_all_for_user

PASSWORD_CHECK_TIER = "password-check"


@transaction.atomic
def password_change_by_user(*, request: HttpRequest, user: User, password: str) -> int:
    """The signed-in person's new password (this device stays signed in, the others are
    signed out), in their own audit log, and emailed to them: someone holding a stolen
    session could otherwise change it unseen. A first password (someone who signed in
    only with a provider until now) is a new way in, so it is emailed too. Returns how
    many devices were signed out."""
    first = not user.has_usable_password()
    signed_out = password_change(request=request, user=user, password=password)
    audit_record_for_user(
        user_id=user.pk,
        action=AccountAction.PASSWORD_CHANGED,
        acting_user=user,
        target=user,
        after={"signed_out": signed_out},
    )
    password_changed_notify(user=user, how="set" if first else "changed")
    return signed_out


def password_changed_notify(*, user: User, how: Literal["reset", "changed", "set"]) -> None:
    """Email `user` that their password was reset by link, changed on the account page or
    set for the first time, when the caller's transaction commits. Every service that
    changes a password calls this: the notice is the owner's only sign of a change they
    did not make, and its button starts a reset, which signs out every device."""
    email_enqueue(
        to=user.email,
        template="accounts/email/password_changed",
        context={"user": user, "how": how, "url": absolute_url("accounts:password-forgot")},
    )


WRONG_PASSWORD = gettext_lazy("That isn't your current password.")


def current_password_check(*, user: AbstractBaseUser, password: str) -> None:
    """Raise ValidationError unless `password` is `user`'s current password.

    Every form that asks for the current password (password change, email change,
    account deletion, ownership transfer) calls this. Wrong guesses have a budget
    per user (tier "password-check"), so someone holding a stolen session cannot
    brute-force the password. The attempt is counted before the hash runs and taken
    back when it is right, so parallel guesses cannot exceed the budget.
    """
    identity = str(user.pk)
    usage = ratelimit_consume(tier=PASSWORD_CHECK_TIER, identity=identity)
    if usage is not None and not usage.allowed:
        security_event(
            "ratelimit.refused", tier=PASSWORD_CHECK_TIER, key_type="user", user_id=user.pk
        )
        minutes = -(-usage.retry_after // 60)
        raise ValidationError(
            ngettext(
                "Too many wrong passwords. For your safety, try again in about %(minutes)s minute.",
                "Too many wrong passwords. For your safety, try again in about %(minutes)s "
                "minutes.",
                minutes,
            )
            % {"minutes": minutes},
            code="rate_limited",
        )
    if user.check_password(password):
        ratelimit_release(tier=PASSWORD_CHECK_TIER, identity=identity, usage=usage)
        return
    security_event("password_check.failed", user_id=user.pk)
    raise ValidationError(WRONG_PASSWORD, code="wrong_password")


def sign_in_paused_notify(*, email: str, minutes: int) -> None:
    """Queue the "sign-in was paused" notice for `email`.

    Whether an account exists is decided in the worker, so the failed sign-in that
    paused it answers the same way (and as fast) for every address."""
    task_enqueue_transactional(sign_in_paused_deliver, normalize_email(email), minutes)


def second_factor_paused_notify(*, user: User, minutes: int) -> None:
    """Email `user` that wrong codes after their right password paused codes from new
    devices (mfa's `second_factor_paused`, itself at most hourly): their password is
    known to someone else."""
    email_enqueue(
        to=user.email,
        template="mfa/email/paused",
        context={
            "user": user,
            "minutes": minutes,
            "when": timezone.now(),
            "url": absolute_url("accounts:password-forgot"),
        },
    )


def two_factor_notice_send(*, user: User, action: str, detail: str | Promise) -> None:
    """Email `user` that how they sign in changed (mfa's services announce every change),
    in the caller's transaction."""
    email_enqueue(
        to=user.email,
        template="mfa/email/changed",
        context={
            "user": user,
            "title": MfaAction(action).label,
            "detail": detail,
            "when": timezone.now(),
            "url": absolute_url("mfa:security"),
            "reset_url": absolute_url("accounts:password-forgot"),
        },
    )


@transaction.atomic
def unproven_address_claimed(*, user: User) -> bool:
    """`user`'s address was never proven, and now its owner proves it: an emailed link
    opened away from the account's own sessions, or an identity provider that speaks for
    the address. With instant sign-up (ACCOUNTS_SIGNUP_EMAIL_CONFIRMATION=false) anyone
    could have made this account with someone else's address, a password, second factors
    and connected providers of their own, so all of them go and every session ends
    before the address counts as verified; the owner sets a password of their own (or
    keeps signing in through the provider). Audited in the account's own log. False:
    already proven."""
    if user.email_verified_at is not None:
        return False
    user.set_unusable_password()
    user.email_verified_at = timezone.now()
    user.save(update_fields=["password", "email_verified_at"])
    signed_out = session_revoke_all_for_user(user=user, reason=Session.RevokedReason.PASSWORD_RESET)
    removed: dict[str, int] = {"signed_out": signed_out} if signed_out else {}
    removed.update(two_factor_discard(user=user))
    for _receiver, answer in address_claimed_signal.send(sender=User, user=user):
        removed.update(cast("dict[str, int]", answer or {}))
    audit_record_for_user(
        user_id=user.pk,
        action=AccountAction.ADDRESS_CLAIMED,
        acting_user=None,
        target=user,
        after=removed,
    )
    security_event("account.unproven_password_dropped", user_id=user.pk)
    return True
