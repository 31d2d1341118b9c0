"""The trusted-browser cookie: "Don't ask again on this browser" (mfa/services_trusted.py).

It holds the raw random token and nothing else; the server keeps the token's SHA-256
with the person it was given to. HttpOnly, SameSite=Lax and `__Host-` prefixed wherever
cookies are Secure, like the pending sign-in's (mfa/pending.py), for MFA_TRUST_DAYS.
An explicit sign-out sends Clear-Site-Data, which removes it with the other cookies:
signing out on a shared computer forgets the trust.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core.client_ip import client_ip
from mfa.services_trusted import trusted_browser_add, trusted_browser_sign_in, trusted_token_hash
from sessions_app.authentication import session_trusted_browser_set

if TYPE_CHECKING:
    from accounts.models import User
    from mfa.models import TrustedBrowser

COOKIE_NAME = "pacetrack-trusted"
MAX_TOKEN_LENGTH = 100  # token_urlsafe(32) is 43 characters


def trust_cookie_name() -> str:
    return f"__Host-{COOKIE_NAME}" if settings.SESSION_COOKIE_SECURE else COOKIE_NAME


def trust_token(request: HttpRequest) -> str:
    """The token this browser holds, or ""."""
    token = request.COOKIES.get(trust_cookie_name(), "")
    return token if len(token) <= MAX_TOKEN_LENGTH else ""


def trust_token_hash(request: HttpRequest) -> str:
    """The hash of this browser's token ("" without one): marks it on the security page."""
    token = trust_token(request)
    return trusted_token_hash(token) if token else ""


def browser_trust(request: HttpRequest, response: HttpResponse, *, user: User) -> None:
    """Trust this browser of `user`, who just passed the second step with the box ticked
    (and signed in: the session remembers which trust is its own)."""
    row, token = trusted_browser_add(user=user, user_agent=request.META.get("HTTP_USER_AGENT", ""))
    session_trusted_browser_set(request.session, trusted_browser_id=row.pk)
    response.set_cookie(
        trust_cookie_name(),
        token,
        max_age=settings.MFA_TRUST_DAYS * 24 * 60 * 60,
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def trusted_browser_here(request: HttpRequest, *, user: User) -> TrustedBrowser | None:
    """The trust that lets `user`, whose password was just right, skip the second step
    here, or None. Once signed in, the session is to remember it
    (`session_trusted_browser_set`): signing that session out forgets it."""
    return trusted_browser_sign_in(user=user, token=trust_token(request), ip=client_ip(request))


def trust_cookie_clear(response: HttpResponse) -> None:
    response.delete_cookie(trust_cookie_name(), path="/", samesite="Lax")
