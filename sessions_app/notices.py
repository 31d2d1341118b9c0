"""Why this device was signed out, told once to the browser whose session it was.

A phone signed out from the laptop ("Sign out all other devices", or that one
device's "Sign out"), by staff or by a password change would otherwise land on a bare
sign-in form on its next click. The notice names no account and no person: whoever
holds the device learns only that it was signed out, and why. Its own sign-out, a
new sign-in replacing the session and plain expiry say nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.utils.translation import gettext_lazy as _

from sessions_app.backends.db import SessionStore
from sessions_app.models import Session
from sessions_app.services import session_end_told

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django_stubs_ext import StrPromise

Reason = Session.RevokedReason

WHY: dict[str, StrPromise] = {
    Reason.REVOKED_BY_USER: _("This device was signed out from another device. Sign in again."),
    Reason.PASSWORD_CHANGED: _(
        "This device was signed out because your password was changed. Sign in again."
    ),
    Reason.PASSWORD_RESET: _(
        "This device was signed out because your password was reset. Sign in again."
    ),
    Reason.ADMIN: _("This device was signed out by an administrator. Sign in again."),
    Reason.SESSION_LIMIT: _(
        "This device was signed out to make room for a sign-in on another device. Sign in again."
    ),
    Reason.DEPROVISIONED: _("This device was signed out by your organisation. Sign in again."),
}


def signed_out_notice(request: HttpRequest) -> bool:
    """Add the notice for the page this request shows or leads to (the sign-in page,
    usually), if its session cookie named a session ended from elsewhere; True if it did.

    Read from the session already loaded (`SessionStore.ended_reason`), and told once:
    the middleware clears the stale cookie on this response, and the row is marked as
    told (`session_end_told`), so the same cookie replayed later, by whoever kept a
    copy, learns nothing more than a forged one."""
    session = request.session
    if not isinstance(session, SessionStore) or session.ended_reason not in WHY:
        return False
    why = WHY[session.ended_reason]
    session.ended_reason = ""  # told
    if session.ended_row_id is not None and not session_end_told(row_id=session.ended_row_id):
        return False  # told before (a copy of the cookie, or two requests at once)
    messages.info(request, why, fail_silently=True)
    return True
