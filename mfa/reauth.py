"""Re-authentication ("sudo mode"): sensitive actions need a recent authentication.

The time of the last one is kept with the session (`sessions_app.authentication`),
so the check costs no query. `reauth_required` (mfa/decorators.py) applies it to a
view; the prompt itself is a page of accounts (MFA_REAUTH_URL), which accepts the
password or a second factor and calls `session_reauthenticated`.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from sessions_app.authentication import session_authenticated_at

# Fields of the prompt's own form: removed before the protected view sees the request.
FORM_PREFIX = "reauth"


def reauth_is_recent(session: SessionBase) -> bool:
    """The session authenticated within the last MFA_REAUTH_AGE seconds."""
    at = session_authenticated_at(session)
    return at is not None and timezone.now() - at < timedelta(seconds=settings.MFA_REAUTH_AGE)
