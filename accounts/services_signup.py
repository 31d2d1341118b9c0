"""Sign-up confirmed by email (ACCOUNTS_SIGNUP_EMAIL_CONFIRMATION, on by default).

Instant sign-up cannot hide whether an address has an account: it either creates
one or refuses. Here the form only sends an email, so every address gets the same
answer after the same work (the password is hashed and exactly one email is
queued either way). A new address gets a link that creates the account; an
address that already has one gets a notice pointing to sign-in and password reset.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.exceptions import (
    EmailTaken,
    PasswordNeeded,
    TokenExpired,
    TokenInvalid,
    TokenUsed,
)
from accounts.mail import email_enqueue
from accounts.mail_delivery import absolute_url
from accounts.models import PendingSignup, User, locale_or_default, normalize_email
from accounts.services import user_signup
from accounts.tokens import token_digest, token_generate
from core.security_log import email_hash, security_event
from ratelimit.services import ratelimit_consume

SIGNUP_LIFETIME = timedelta(hours=48)
ACCOUNT_EXISTS = gettext_lazy(
    "An account with this email address already exists. Sign in, or reset your password "
    "if you don't remember it."
)


def signup_request(
    *,
    email: str,
    name: str,
    password: str,
    language: str = "",
    time_zone: str = "UTC",
    browser_key: str = "",
) -> None:
    """The sign-up form's action: email a link that creates the account, or, when
    the address already has an account, a notice to its owner. Nothing else changes.

    Each address has a budget of sign-up emails (tier "auth-signup"), so nobody can
    flood an inbox from many IPs: over it nothing is sent and the page answers as usual.
    `browser_key`: the sign-up form's cookie (`signup_same_browser`)."""
    email = normalize_email(email)
    language, time_zone = locale_or_default(language=language, time_zone=time_zone)
    # Hashed for every outcome, before anything else: the response time must not
    # say which one happened.
    password_hash = make_password(password)
    usage = ratelimit_consume(tier="auth-signup", identity=email_hash(email))
    if usage is not None and not usage.allowed:
        security_event("ratelimit.refused", tier="auth-signup", key_type="account")
        return
    now = timezone.now()
    with transaction.atomic():
        PendingSignup.objects.filter(expires_at__lte=now).delete()
        # Only the newest link for an address works: a sign-up someone else started
        # with this address (and their password) cannot be completed after yours. A
        # used one stays until it expires: it tells its browser the sign-up is done
        # (`signup_used_from_browser`), and a later attempt with the address, from
        # anywhere, brought the typed name and address back on that browser's pages.
        PendingSignup.objects.filter(email=email, used_at__isnull=True).delete()
        existing = User.objects.filter(email=email).first()
        if existing is not None:
            email_enqueue(
                to=email,
                template="accounts/email/signup_existing",
                context={
                    "user": existing,
                    "url": absolute_url("accounts:sign-in"),
                    "reset_url": absolute_url("accounts:password-forgot"),
                    # A deleted account's address: how long it stays reserved, and whom
                    # to write to for a restore (both were left vague: "a few weeks",
                    # "contact us").
                    "grace_days": settings.ACCOUNTS_DELETION_GRACE_DAYS,
                    "support_email": settings.SUPPORT_EMAIL,
                },
            )
            return
        raw, digest = token_generate()
        PendingSignup.objects.create(
            email=email,
            name=name,
            password_hash=password_hash,
            token_hash=digest,
            browser_hash=token_digest(browser_key) if browser_key else "",
            language=language,
            time_zone=time_zone,
            created_at=now,
            expires_at=now + SIGNUP_LIFETIME,
        )
        email_enqueue(
            to=email,
            template="accounts/email/signup_confirm",
            # Not the typed name: this goes to an address nobody has proven yet, and a
            # name such as "Your invoice is overdue, pay at https://…" rode our sender.
            context={
                "email": email,
                "url": absolute_url("accounts:sign-up-confirm", raw),
            },
        )


def signup_pending_check(*, raw_token: str, lock: bool = False) -> PendingSignup:
    """The sign-up a link can still complete, or TokenInvalid / TokenExpired /
    TokenUsed, or EmailTaken when the address got an account meanwhile."""
    if not raw_token or len(raw_token) > 100:
        raise TokenInvalid
    rows = PendingSignup.objects.select_for_update() if lock else PendingSignup.objects
    try:
        pending = rows.get(token_hash=token_digest(raw_token))
    except PendingSignup.DoesNotExist:
        raise TokenInvalid(
            _(
                "This link is not valid. Check that you copied the whole link; if you signed "
                "up more than once, only the newest email's link works."
            )
        ) from None
    if pending.used_at is not None:
        raise TokenUsed(_("This link has already been used. Sign in with your email and password."))
    if pending.is_expired():
        raise TokenExpired(_("This link has expired. Sign up again to get a new one."))
    if User.objects.filter(email=pending.email).exists():
        raise EmailTaken(ACCOUNT_EXISTS)
    return pending


def signup_used_from_browser(*, browser_key: str) -> bool:
    """A sign-up this browser started has since been completed, here or from the link
    anywhere else: what the browser typed is no longer shown (a shared computer's next
    person read the address and name on "Check your email" for two days). A read of
    used rows only, which stay until they expire: a taken address, which has no row,
    answers like a waiting one."""
    if not browser_key:
        return False
    return PendingSignup.objects.filter(
        browser_hash=token_digest(browser_key), used_at__isnull=False
    ).exists()


def signup_same_browser(*, pending: PendingSignup, browser_key: str) -> bool:
    """The link is opened in the browser that filled in the sign-up form.

    Anyone can start a sign-up for someone else's address with a password of their
    choosing; had the owner clicked the emailed link, the account would have been
    created with the stranger's password (pre-registration takeover). Elsewhere than
    in the starting browser, the link's page has its holder, who reads the address's
    inbox, choose the password: whatever the form was given is dropped."""
    return bool(pending.browser_hash) and constant_time_compare(
        pending.browser_hash, token_digest(browser_key or "")
    )


@transaction.atomic
def signup_complete(*, raw_token: str, browser_key: str = "", password: str = "") -> User:
    """Use a sign-up link: create the user (verified: the link reached the inbox)
    with their personal workspace through `user_signup`, and retire the link. Outside
    the browser that started it, with the password chosen on the link's page
    (PasswordNeeded without one; ValidationError for one the rules refuse)."""
    pending = signup_pending_check(raw_token=raw_token, lock=True)
    password_hash = pending.password_hash
    if not signup_same_browser(pending=pending, browser_key=browser_key):
        if not password:
            raise PasswordNeeded(_("Choose a password."))
        password_validation.validate_password(
            password, User(email=pending.email, name=pending.name)
        )
        password_hash = make_password(password)
    try:
        with transaction.atomic():
            user = user_signup(
                email=pending.email,
                password=None,
                name=pending.name,
                language=pending.language,
                time_zone=pending.time_zone,
            )
    except IntegrityError:  # an invitation sign-up took the address a moment ago
        raise EmailTaken(ACCOUNT_EXISTS) from None
    now = timezone.now()
    user.password = password_hash
    user.email_verified_at = now
    user.save(update_fields=["password", "email_verified_at"])
    pending.used_at = now
    pending.password_hash = ""
    pending.save(update_fields=["used_at", "password_hash"])
    return user
