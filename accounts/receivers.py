"""Signal receivers: a few lines each, calling a service."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils.functional import Promise

from accounts.services_email import device_sign_in_record, email_change_cancel_after_sign_out
from accounts.services_security import (
    second_factor_paused_notify,
    sign_in_paused_notify,
    two_factor_notice_send,
)
from core.client_ip import client_ip
from core.security_log import email_hash, security_event
from sessions_app.models import Session

if TYPE_CHECKING:
    from accounts.models import User


def notify_new_device(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """On every sign-in: email the user when the device (user agent + IP /24) is new."""
    if request is None:  # login() without a request (scripts): no device to speak of
        return
    device_sign_in_record(
        user=user, user_agent=request.META.get("HTTP_USER_AGENT", ""), ip=client_ip(request)
    )


def log_sign_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """Every sign-in (form, admin, reset link, sign-up), as a security event."""
    security_event(
        "sign_in.succeeded",
        level=logging.INFO,
        user_id=user.pk,
        account=email_hash(user.email),
        ip=client_ip(request) if request is not None else "",
        path=request.path if request is not None else "",
    )


def log_sign_in_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """A failed authenticate(): the hashed address tried, never the password."""
    email = str(credentials.get("email") or credentials.get("username") or "")
    security_event(
        "sign_in.failed",
        account=email_hash(email) if email else "",
        ip=client_ip(request) if request is not None else "",
        path=request.path if request is not None else "",
    )


def on_sign_in_paused(sender: Any, *, email: str, minutes: int, **kwargs: Any) -> None:
    """Rate limiting paused sign-in to an account from new devices: tell its owner."""
    sign_in_paused_notify(email=email, minutes=minutes)


def on_second_factor_paused(sender: Any, *, user: User, minutes: int, **kwargs: Any) -> None:
    """Wrong codes after the right password paused codes from new devices: tell the owner."""
    second_factor_paused_notify(user=user, minutes=minutes)


def on_two_factor_changed(
    sender: Any, *, user: User, action: str, detail: str | Promise, **kwargs: Any
) -> None:
    """A second factor was added, removed or used up: tell its owner by email."""
    two_factor_notice_send(user=user, action=action, detail=detail)


# A device signed out by someone other than itself: from another device, staff, a
# directory. Its own "Sign out", a rotation or the device limit shut nobody out.
_SHUT_OUT = {
    Session.RevokedReason.REVOKED_BY_USER,
    Session.RevokedReason.ADMIN,
    Session.RevokedReason.DEPROVISIONED,
}


def on_other_sessions_revoked(sender: Any, user: User, reason: str, **kwargs: Any) -> None:
    email_change_cancel_after_sign_out(user=user, reason=reason)


def on_session_revoked(sender: Any, session: Session, reason: str, **kwargs: Any) -> None:
    if reason in _SHUT_OUT:
        email_change_cancel_after_sign_out(user=session.user, reason=reason)
