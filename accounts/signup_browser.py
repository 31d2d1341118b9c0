"""The cookie that ties an emailed sign-up link to the browser that filled in the form
(`accounts.services_signup.signup_same_browser`): there the link is one click, anywhere
else its page has the holder (who reads the inbox) choose the password."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from accounts.services_signup import SIGNUP_LIFETIME

COOKIE_NAME = "pacetrack-signup"


def signup_cookie_name() -> str:
    """`__Host-` prefixed wherever cookies are Secure: no subdomain can set or shadow it."""
    return f"__Host-{COOKIE_NAME}" if settings.SESSION_COOKIE_SECURE else COOKIE_NAME


def signup_browser_key_new(response: HttpResponse) -> str:
    """A fresh key for one sign-up, set on `response`. Set for every submission, the
    address new or taken alike, so the answer still says nothing about the address."""
    key = secrets.token_urlsafe(32)
    response.set_cookie(
        signup_cookie_name(),
        key,
        max_age=int(SIGNUP_LIFETIME.total_seconds()),
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return key


def signup_browser_key(request: HttpRequest) -> str:
    return request.COOKIES.get(signup_cookie_name(), "")[:100]
