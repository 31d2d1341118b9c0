"""The sign-in between the password and the second factor.

The person is not signed in yet: no session row exists and `request.user` stays
anonymous. What the second step needs lives in a short-lived cookie on this browser,
signed with SECRET_KEY (so it cannot be forged or altered) and timestamped (so it is
refused after MFA_PENDING_AGE seconds, 5 minutes by default). It names the user, the
page to land on and the first factor, and carries a fingerprint of the password hash:
a password changed or reset in the meantime voids it. HttpOnly, SameSite=Lax and
`__Host-` prefixed wherever cookies are Secure, like the session cookie.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare, salted_hmac

from core.signed_cookies import signed_cookie_load
from ratelimit.policy import RateLimitedRequest
from ratelimit.sign_in import sign_in_settle
from sessions_app.authentication import Factor

if TYPE_CHECKING:
    from accounts.models import User

COOKIE_NAME = "pacetrack-mfa"
SALT = "pacetrack.mfa.pending-sign-in"


@dataclass(frozen=True)
class PendingSignIn:
    user: User
    next_url: str
    first_factor: str
    nonce: str  # tells this pending sign-in from any other (passkey challenges bind to it)

    @property
    def owner(self) -> str:
        """Who may answer a passkey challenge issued for this second step."""
        return f"pending:{self.user.pk}:{self.nonce}"


def pending_cookie_name() -> str:
    return f"__Host-{COOKIE_NAME}" if settings.SESSION_COOKIE_SECURE else COOKIE_NAME


def _password_fingerprint(user: User) -> str:
    return salted_hmac(SALT, user.password, algorithm="sha256").hexdigest()[:32]


def pending_sign_in_start(
    request: HttpRequest,
    response: HttpResponse,
    *,
    user: User,
    next_url: str = "",
    first_factor: str = Factor.PASSWORD,
) -> None:
    """Put the sign-in of `user` on hold for its second step, on `response`.

    The password was right, so the sign-in attempt's hits on the password budgets are
    taken back now, as a completed sign-in's are: the second step has budgets of its own.
    """
    value = signing.dumps(
        {
            "u": user.pk,
            "p": _password_fingerprint(user),
            "n": next_url,
            "f": Factor(first_factor).value,
            "r": secrets.token_urlsafe(8),  # no two pending cookies are alike
        },
        salt=SALT,
        compress=True,
    )
    response.set_cookie(
        pending_cookie_name(),
        value,
        max_age=settings.MFA_PENDING_AGE,
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    limited = cast(RateLimitedRequest, request)
    counted = getattr(limited, "ratelimit_sign_in", None)
    if counted:
        sign_in_settle(request, counted=counted, signed_in=True)
        limited.ratelimit_sign_in = []


def pending_sign_in_get(request: HttpRequest) -> PendingSignIn | None:
    """The sign-in waiting on this browser, or None: no cookie, older than
    MFA_PENDING_AGE, tampered with, or its user's password or status changed."""
    data = signed_cookie_load(
        request,
        name=pending_cookie_name(),
        salt=SALT,
        max_age=settings.MFA_PENDING_AGE,
        tampered_event="mfa_pending.tampered",
    )
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = get_user_model()._default_manager.filter(pk=data["u"], is_active=True).first()
    if user is None or not constant_time_compare(data.get("p", ""), _password_fingerprint(user)):
        return None
    first = data.get("f")
    return PendingSignIn(
        user=user,
        next_url=str(data.get("n") or ""),
        first_factor=first if first in Factor.values else Factor.PASSWORD.value,
        nonce=str(data.get("r") or ""),
    )


def pending_sign_in_clear(response: HttpResponse) -> None:
    response.delete_cookie(pending_cookie_name(), path="/", samesite="Lax")
