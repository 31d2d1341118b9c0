"""The signed-in user of a request, taken from the session row already loaded."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, load_backend
from django.contrib.auth.models import AnonymousUser
from django.utils.crypto import constant_time_compare

from sessions_app.models import Session

if TYPE_CHECKING:
    from django.http import HttpRequest

    from sessions_app.backends.db import SessionStore


def session_user(request: HttpRequest) -> Any:
    """Django's `auth.get_user()` semantics without its second query.

    The user comes from the session row's select_related. As in Django, the
    backend must still be configured, inactive users are refused, and the
    session's password hash must match: a password change elsewhere ends it
    (the row is revoked with reason "password_changed").
    """
    # sessions_app's SessionMiddleware (required, see process_request) put this store here.
    session = cast("SessionStore", request.session)
    user = session.user
    backend_path = session.get(BACKEND_SESSION_KEY)
    if user is None or backend_path not in settings.AUTHENTICATION_BACKENDS:
        return AnonymousUser()
    backend = load_backend(backend_path)
    can_authenticate = getattr(backend, "user_can_authenticate", None)
    if can_authenticate is not None and not can_authenticate(user):
        return AnonymousUser()
    session_hash = session.get(HASH_SESSION_KEY) or ""
    if session_hash and constant_time_compare(session_hash, user.get_session_auth_hash()):
        return user
    if session_hash and any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    ):
        # SECRET_KEY was rotated: re-sign the hash with the new secret. Django also
        # cycles the key here; our token never left the cookie and a new row would
        # restart the absolute lifetime, so the same row is kept.
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        return user
    session.revoke_reason = Session.RevokedReason.PASSWORD_CHANGED
    session.flush()
    return AnonymousUser()
