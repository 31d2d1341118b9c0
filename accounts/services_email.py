"""Email workflows: verification, email change, password reset, new-device notice."""

from __future__ import annotations

import hashlib
import ipaddress

from django.conf import settings
from django.contrib.auth import password_validation
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import AccountAction
from accounts.exceptions import EmailTaken, PasswordNeeded, ResendTooSoon
from accounts.mail import email_deliver_later, email_enqueue
from accounts.mail_delivery import absolute_url
from accounts.models import EmailToken, KnownDevice, User, normalize_email
from accounts.notices import password_reset_compose
from accounts.services_security import password_changed_notify, unproven_address_claimed
from accounts.signals import email_changed
from accounts.task_queue import task_enqueue_transactional
from accounts.tasks import password_reset_deliver
from accounts.tokens import (
    email_token_check,
    email_token_issue,
    email_token_use,
    email_tokens_revoke,
)
from core.audit import audit_record_for_user
from core.i18n import said_later
from core.security_log import email_hash, security_event
from ratelimit.services import ratelimit_consume
from sessions_app.devices import device_parts, device_said
from sessions_app.models import Session
from sessions_app.services import session_revoke_all_for_user

RESEND_COOLDOWN_SECONDS = 60
EMAIL_PURPOSES = (EmailToken.Purpose.VERIFY_EMAIL, EmailToken.Purpose.EMAIL_CHANGE)


# --- Verification -------------------------------------------------------------


def email_verification_send(*, user: User) -> None:
    """Email a 48-hour link proving `user` owns their current address."""
    raw = email_token_issue(user=user, purpose=EmailToken.Purpose.VERIFY_EMAIL, email=user.email)
    email_enqueue(
        to=user.email,
        template="accounts/email/verify_email",
        context={"user": user, "url": absolute_url("accounts:verify-email", raw)},
    )


@transaction.atomic
def email_verification_resend(*, user: User) -> None:
    """The banner's "resend": at most one email per cooldown (per user, from the token rows)."""
    User.objects.select_for_update().get(pk=user.pk)  # serialise double clicks
    last = (
        EmailToken.objects.filter(user=user, purpose=EmailToken.Purpose.VERIFY_EMAIL)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:1]
    )
    if last and (timezone.now() - last[0]).total_seconds() < RESEND_COOLDOWN_SECONDS:
        raise ResendTooSoon(
            _(
                "We sent you a verification email less than a minute ago. "
                "Check your inbox (and spam folder) before asking for another."
            )
        )
    email_verification_send(user=user)


def email_change_check(*, raw_token: str) -> EmailToken | None:
    """The pending email change `raw_token` confirms, checked but not used (its page
    asks for a button press first); None for a plain verification link. Raises
    TokenError subclasses, or EmailTaken when another account has the address now."""
    token = email_token_check(raw=raw_token, purposes=EMAIL_PURPOSES)
    if token.purpose != EmailToken.Purpose.EMAIL_CHANGE:
        return None
    _assert_still_free(token)
    return token


def _taken(email: str) -> str:
    return _("%(email)s is now used by another account, so it cannot be yours.") % {"email": email}


def _assert_still_free(token: EmailToken) -> None:
    """EmailTaken when another account signed up with the new address meanwhile."""
    if User.objects.filter(email=token.email).exclude(pk=token.user_id).exists():
        raise EmailTaken(_taken(token.email))


@transaction.atomic
def email_verify(
    *, raw_token: str, signed_in_user_id: int | None = None, password: str = ""
) -> EmailToken:
    """Use a verification or email-change link. Returns the used token (its
    `purpose` says which). Raises TokenError subclasses or EmailTaken.

    A verification link proves the address of whoever opens it, not of whoever made
    the account: with instant sign-up anyone may have made it with someone else's
    address. Opened in a browser signed in to the account (`signed_in_user_id`), it
    only confirms the address; anywhere else its holder chooses the password
    (PasswordNeeded without one, ValidationError for one the rules refuse) and what the
    account had before goes (`unproven_address_claimed`), as when a provider proves it."""
    token = email_token_check(raw=raw_token, purposes=EMAIL_PURPOSES, lock=True)
    user = token.user
    if token.purpose == EmailToken.Purpose.VERIFY_EMAIL:
        if normalize_email(token.email) != user.email:
            raise EmailTaken(_("This link was for an address your account no longer uses."))
        if verify_needs_password(token=token, signed_in_user_id=signed_in_user_id):
            if not password:
                raise PasswordNeeded(_("Choose a password."))
            password_validation.validate_password(password, user)
            email_token_use(token=token)
            unproven_address_claimed(user=user)
            user.set_password(password)
            user.save(update_fields=["password"])
            password_changed_notify(user=user, how="set")
            return token
        email_token_use(token=token)
        user.email_verified_at = user.email_verified_at or timezone.now()
        user.save(update_fields=["email_verified_at"])
        return token
    email_token_use(token=token)
    now = timezone.now()
    old_email = user.email
    _assert_still_free(token)
    user.email = token.email
    user.email_verified_at = now
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "email_verified_at"])
    except IntegrityError:  # a sign-up took the address between the check and the save
        raise EmailTaken(_taken(token.email)) from None
    _email_changed(user=user, old_email=old_email, acting_user=user)
    return token


def _email_changed(*, user: User, old_email: str, acting_user: User) -> None:
    """What follows any change of the address, inside its transaction."""
    # Links sent to the old address (verify, reset, other pending changes) stop working.
    email_tokens_revoke(user=user, purposes=tuple(EmailToken.Purpose))
    audit_record_for_user(
        user_id=user.pk,
        action=AccountAction.EMAIL_CHANGED,
        acting_user=acting_user,
        target=user,
        before={"email": old_email},
        after={"email": user.email},
    )
    email_enqueue(
        to=old_email,
        template="accounts/email/email_changed",
        context={
            "user": user,
            "old_email": old_email,
            "new_email": user.email,
            "url": absolute_url("accounts:password-forgot"),
        },
    )
    email_changed.send(sender=User, user=user, old_email=old_email)


@transaction.atomic
def email_set_by_staff(*, user: User, old_email: str, staff: User) -> None:
    """A superuser moved the account to another address in the admin (support moving
    someone off a mailbox they lost). The admin saved the row; the rest is as when the
    person changes it: a reset link already sent to the old mailbox still worked, and
    the old address, the audit log and the payment provider heard nothing. Staff vouch
    for the new address (support checked who asked): it counts as proven, and the
    audit event names who vouched."""
    if normalize_email(old_email) == user.email:
        return
    User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
    _email_changed(user=user, old_email=old_email, acting_user=staff)


def email_link_check(*, raw_token: str) -> EmailToken:
    """The usable verification or email-change link for `raw_token`, not used (TokenError
    subclasses otherwise)."""
    return email_token_check(raw=raw_token, purposes=EMAIL_PURPOSES)


def verify_needs_password(*, token: EmailToken, signed_in_user_id: int | None) -> bool:
    """Whether using this verification link asks its holder for a password: the account's
    address was never proven and the link is opened outside the account's own session."""
    return token.user.email_verified_at is None and signed_in_user_id != token.user_id


# --- Email change -------------------------------------------------------------


@transaction.atomic
def email_change_request(*, user: User, new_email: str) -> None:
    """Send a verification link to `new_email`; the account keeps its current
    address until that link is used.

    An address that belongs to another account gets the same answer and the same
    work (a pending token, one email), so the form cannot be used to find out who
    has an account: its owner gets a notice instead of the link, and nothing changes."""
    new_email = normalize_email(new_email)
    if new_email == user.email:
        raise EmailTaken(_("That is already your email address."))
    # Only the newest request counts.
    email_tokens_revoke(user=user, purposes=(EmailToken.Purpose.EMAIL_CHANGE,))
    raw = email_token_issue(user=user, purpose=EmailToken.Purpose.EMAIL_CHANGE, email=new_email)
    owner = User.objects.filter(email=new_email).first()
    if owner is not None:
        # Nobody ever sees `raw`; the pending token only keeps the page identical
        # (and email_verify would refuse it: the address is taken).
        email_enqueue(
            to=new_email,
            template="accounts/email/email_change_taken",
            context={"user": owner, "url": absolute_url("accounts:password-forgot")},
        )
        return
    email_enqueue(
        to=new_email,
        template="accounts/email/email_change",
        context={
            "user": user,
            "new_email": new_email,
            "url": absolute_url("accounts:verify-email", raw),
        },
    )


def email_change_pending(*, user: User) -> EmailToken | None:
    """The open email-change request, if any."""
    return (
        EmailToken.objects.filter(
            user=user,
            purpose=EmailToken.Purpose.EMAIL_CHANGE,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("-created_at")
        .first()
    )


def email_change_cancel(*, user: User) -> int:
    """Withdraw a pending email change; its link stops working."""
    return email_tokens_revoke(user=user, purposes=(EmailToken.Purpose.EMAIL_CHANGE,))


def email_change_cancel_after_sign_out(*, user: User, reason: str) -> None:
    """Devices were signed out to shut someone out (a password reset or change, "Sign out
    all other devices", a device signed out from another, staff, a directory): an email
    change waiting for its link goes too. Whoever held a session could have asked for
    one to an inbox of theirs, and its link would otherwise still move the account there
    after the owner took it back. The owner starts theirs again if it was theirs."""
    if email_change_cancel(user=user):
        security_event("email_change.cancelled", user_id=user.pk, reason=reason)


# --- Password reset -------------------------------------------------------------


def password_reset_request(*, email: str) -> bool:
    """The forgot-password form's only action: one task, whatever the address.

    Whether an account exists is decided in the worker, so the response (and the
    work done before it) is the same for both cases. Each address has its own
    budget of requests (tier "auth-reset", separate from failed sign-ins, so an
    attacker cannot block a reset): over it nothing is sent and the caller answers
    as usual. Returns whether the request was queued."""
    email = normalize_email(email)
    usage = ratelimit_consume(tier="auth-reset", identity=email_hash(email))
    if usage is not None and not usage.allowed:
        security_event("ratelimit.refused", tier="auth-reset", key_type="account")
        return False
    task_enqueue_transactional(password_reset_deliver, email)
    return True


def password_reset_send(*, email: str) -> bool:
    """Email a reset link now if the address has an active account (staff do, from
    the admin); returns whether one was queued. The forgot-password page goes through
    `password_reset_request` instead."""
    with transaction.atomic():
        deliveries = password_reset_compose(email=email)
        for delivery in deliveries:
            email_deliver_later(delivery)
    return bool(deliveries)


def password_reset_check(*, raw_token: str) -> EmailToken:
    """The usable reset token for `raw_token`, or a TokenError subclass."""
    return email_token_check(raw=raw_token, purposes=(EmailToken.Purpose.PASSWORD_RESET,))


@transaction.atomic
def password_reset_complete(*, raw_token: str, password: str) -> User:
    """Set the new password from a reset link, use the token and revoke every
    session of the user. The caller then signs this browser in with `login()`."""
    token = email_token_check(
        raw=raw_token, purposes=(EmailToken.Purpose.PASSWORD_RESET,), lock=True
    )
    user = token.user
    email_token_use(token=token)
    signed_out = session_revoke_all_for_user(user=user, reason=Session.RevokedReason.PASSWORD_RESET)
    # The link reached this inbox, which proves the address too: on an account nobody
    # had proven it for, what its maker set up (second factors, providers) goes.
    unproven_address_claimed(user=user)
    user.set_password(password)
    user.save(update_fields=["password"])
    email_tokens_revoke(user=user, purposes=(EmailToken.Purpose.PASSWORD_RESET,))
    audit_record_for_user(
        user_id=user.pk,
        action=AccountAction.PASSWORD_RESET,
        acting_user=user,
        target=user,
        after={"signed_out": signed_out},
    )
    password_changed_notify(user=user, how="reset")
    return user


# --- New-device notice ------------------------------------------------------------


def ip_network(ip: str) -> str:
    """The /24 (IPv4) or /64 (IPv6) a device's address belongs to."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def device_sign_in_record(*, user: User, user_agent: str, ip: str) -> bool:
    """Remember this (user agent, IP /24) for `user`; the first time it is seen —
    except on the user's very first sign-in — email "New sign-in to your account".

    Returns True when a notice was queued."""
    user_agent = user_agent[:500]
    network = ip_network(ip)
    fingerprint = hashlib.sha256(f"{user_agent}\n{network}".encode()).hexdigest()
    now = timezone.now()
    with transaction.atomic():
        updated = KnownDevice.objects.filter(user=user, fingerprint=fingerprint).update(
            last_seen_at=now
        )
        if updated:
            return False
        first_ever = not KnownDevice.objects.filter(user=user).exists()
        try:
            with transaction.atomic():
                KnownDevice.objects.create(
                    user=user,
                    fingerprint=fingerprint,
                    user_agent=user_agent,
                    ip_network=network,
                    first_seen_at=now,
                    last_seen_at=now,
                )
        except IntegrityError:  # two sign-ins from the new device at once; one notice
            return False
        if first_ever:
            return False
        browser, system = device_parts(user_agent)
        email_enqueue(
            to=user.email,
            template="accounts/email/new_device",
            context={
                "user": user,
                # In each recipient's language ("Firefox unter Linux").
                "device": said_later(lambda: device_said(browser=browser, system=system)),
                "ip": ip,
                "when": now,
                "url": f"{settings.SITE_URL}/account/sessions/",
                "reset_url": absolute_url("accounts:password-forgot"),
            },
        )
    return True
