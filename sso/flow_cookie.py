"""The sign-in in flight, between leaving for the provider and coming back.

The person is usually not signed in, so there is no session to keep it in: like the
pending second step (mfa.pending) it lives in a short-lived cookie, signed with
SECRET_KEY and timestamped, HttpOnly, SameSite=Lax (the provider's redirect back is
a top-level GET, which Lax lets through) and `__Host-` prefixed where cookies are
Secure. It carries state, nonce and the PKCE verifier, so a callback reaching
another browser, or this one after FLOW_LIFETIME, has nothing to match.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from core.signed_cookies import signed_cookie_load
from sso.protocol import FLOW_LIFETIME, Flow

COOKIE_NAME = "pacetrack-sso"
SALT = "pacetrack.sso.flow"


@dataclass(frozen=True)
class FlowCookie:
    flow: Flow
    purpose: str  # "social", "connect", "org" or "test"
    source: str  # the social provider's key, or the connection's id
    next_url: str = ""
    user_id: int | None = None  # who started a "connect" or "test"


def flow_cookie_name() -> str:
    return f"__Host-{COOKIE_NAME}" if settings.SESSION_COOKIE_SECURE else COOKIE_NAME


def flow_cookie_set(response: HttpResponse, value: FlowCookie) -> None:
    data = {
        "s": value.flow.state,
        "n": value.flow.nonce,
        "v": value.flow.code_verifier,
        "p": value.purpose,
        "o": value.source,
        "x": value.next_url,
        "u": value.user_id,
    }
    response.set_cookie(
        flow_cookie_name(),
        signing.dumps(data, salt=SALT, compress=True),
        max_age=FLOW_LIFETIME,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def flow_cookie_load(request: HttpRequest) -> FlowCookie | None:
    data = signed_cookie_load(
        request,
        name=flow_cookie_name(),
        salt=SALT,
        max_age=FLOW_LIFETIME,
        tampered_event="sso.flow_cookie_tampered",
    )
    if not isinstance(data, dict):
        return None
    return FlowCookie(
        flow=Flow(state=data["s"], nonce=data["n"], code_verifier=data["v"]),
        purpose=data["p"],
        source=data["o"],
        next_url=data.get("x") or "",
        user_id=data.get("u"),
    )


def flow_cookie_clear(response: HttpResponse) -> None:
    response.delete_cookie(flow_cookie_name(), samesite="Lax")
