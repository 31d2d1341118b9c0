"""The cookie that ties an emailed sign-up link to the browser that filled in the form
(`accounts.services_signup.signup_same_browser`): there the link is one click, anywhere
else its page has the holder (who reads the inbox) choose the password.

It also keeps what that browser typed (the address and the name, never the password),
so "Check your email" can name the address the message went to and "Use a different
address" can bring the form back filled in. Signed, not stored: the session engine
keeps no anonymous sessions. It says nothing about the address: a new and a taken one
get the same cookie, carrying what was typed."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from accounts.services_signup import SIGNUP_LIFETIME, signup_used_from_browser
from core.signed_cookies import signed_cookie_load

COOKIE_NAME = "pacetrack-signup"
SALT = "pacetrack.signup-browser"


@dataclass(frozen=True)
class SignupTyped:
    """What this browser typed into the sign-up form it sent."""

    name: str
    email: str


def signup_cookie_name() -> str:
    """`__Host-` prefixed wherever cookies are Secure: no subdomain can set or shadow it."""
    return f"__Host-{COOKIE_NAME}" if settings.SESSION_COOKIE_SECURE else COOKIE_NAME


def signup_browser_key_new(response: HttpResponse, *, email: str, name: str) -> str:
    """A fresh key for one sign-up, set on `response` with the `email` and `name` typed.
    Set for every submission, the address new or taken alike, so the answer still says
    nothing about the address."""
    key = secrets.token_urlsafe(32)
    value = signing.dumps({"k": key, "e": email, "n": name}, salt=SALT, compress=True)
    response.set_cookie(
        signup_cookie_name(),
        value,
        max_age=int(SIGNUP_LIFETIME.total_seconds()),
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return key


# What the cookie held before it kept what was typed: the bare key (43 URL-safe
# characters, no ":"). Read as the key alone for the 48 hours such a cookie lives, so
# a sign-up begun before an upgrade keeps its one click and is not logged as tampered.
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]{43}")


def _cookie(request: HttpRequest) -> dict[str, str]:
    raw = request.COOKIES.get(signup_cookie_name(), "")
    if _BARE_KEY.fullmatch(raw):
        return {"k": raw}
    value = signed_cookie_load(
        request,
        name=signup_cookie_name(),
        salt=SALT,
        max_age=int(SIGNUP_LIFETIME.total_seconds()),
        tampered_event="signup_cookie.tampered",
    )
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def signup_browser_key(request: HttpRequest) -> str:
    return _cookie(request).get("k", "")[:100]


@dataclass(frozen=True)
class SignupCookie:
    """What this browser's sign-up cookie says: what it typed, shown while that sign-up
    waits (None once it is completed, or when nothing was typed); `spent`: the sign-up
    is completed, so the pages that read it delete the cookie too."""

    typed: SignupTyped | None
    spent: bool


def signup_cookie_read(request: HttpRequest) -> SignupCookie:
    cookie = _cookie(request)
    key = cookie.get("k", "")
    spent = bool(key) and signup_used_from_browser(browser_key=key)
    email = cookie.get("e", "")
    typed = SignupTyped(name=cookie.get("n", ""), email=email) if email and not spent else None
    return SignupCookie(typed=typed, spent=spent)
