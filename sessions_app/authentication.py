"""When a session last proved who its user is, and with which factors it signed in.

Both live in the session row's `data`, which is loaded with the session: reading them
costs no query. Every `login()` stamps them (the receiver below, connected in
`SessionsAppConfig.ready()`); a sign-in that used more than a password (a second
factor, a passkey) says so with `session_authenticated` right after it, and a
re-authentication ("sudo mode", `mfa.reauth`) moves the time forward.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.sessions.backends.base import SessionBase
    from django.http import HttpRequest

AUTHENTICATED_AT_KEY = "auth_at"  # epoch seconds of the last sign-in or re-authentication
FACTORS_KEY = "auth_factors"  # Factor codes this session has proven, in the order given
# The codes the sign-in itself used: what the devices page and the security activity
# say. Kept apart because a factor proven later (an app just set up) joins FACTORS_KEY,
# and history must not change ("Signed in with Password" stays that).
SIGNED_IN_WITH_KEY = "auth_sign_in"


class Factor(models.TextChoices):
    """The ways a person can prove who they are; stored by code in session data."""

    PASSWORD = "password", _("Password")
    TOTP = "totp", _("Authenticator app")
    RECOVERY_CODE = "recovery_code", _("Recovery code")
    PASSKEY = "passkey", _("Passkey")
    SOCIAL = "social", _("Google, Microsoft or GitHub")
    SSO = "sso", _("Organisation single sign-on")
    # Not a factor proven now: the second step skipped on a browser its person trusted
    # when they last passed it there (mfa.trusted).
    TRUSTED_BROWSER = "trusted_browser", _("Trusted browser")


def session_authenticated(
    session: SessionBase, *, factors: Iterable[str], at: float | None = None
) -> None:
    """Record a sign-in: the factors it used and now as the last authentication."""
    codes = [Factor(factor).value for factor in factors]
    session[FACTORS_KEY] = codes
    session[SIGNED_IN_WITH_KEY] = list(codes)
    session[AUTHENTICATED_AT_KEY] = int(time.time() if at is None else at)


_LABELS = {factor.value: factor.label for factor in Factor}  # lazy: translated when shown

SECOND_FACTORS = frozenset({Factor.TOTP, Factor.RECOVERY_CODE, Factor.PASSKEY})
# What met the second step of a sign-in. A trusted browser did without proving a factor
# in this session, so it is not one of SECOND_FACTORS (/admin/ still asks for a factor).
SECOND_STEP_FACTORS = SECOND_FACTORS | {Factor.TRUSTED_BROWSER}


# The mfa.TrustedBrowser this session signed in on, or trusted when it signed in: signing
# this one session out (its device, the admin, a sign-out) forgets that browser's trust.
TRUSTED_BROWSER_KEY = "auth_trusted_browser"


def session_trusted_browser_set(session: SessionBase, *, trusted_browser_id: int) -> None:
    session[TRUSTED_BROWSER_KEY] = trusted_browser_id


def session_factor_proven(session: SessionBase, *, factor: str) -> None:
    """A factor proven later in the session (an authenticator app confirmed by a code, a
    passkey just created): the session now holds it as if it had signed in with it."""
    factors = list(session.get(FACTORS_KEY) or [])
    if Factor(factor).value not in factors:
        session[FACTORS_KEY] = [*factors, Factor(factor).value]


def session_has_second_factor(session: SessionBase) -> bool:
    """This session proved more than a password (read from the session: no query)."""
    return any(code in SECOND_FACTORS for code in session.get(FACTORS_KEY) or [])


def session_passed_second_step(session: SessionBase) -> bool:
    """This session's sign-in met the second step: a second factor, or a browser its
    person trusted after passing one there (removing two-factor takes both away, see
    `session_second_factors_forget`). Read from the session: no query."""
    return any(code in SECOND_STEP_FACTORS for code in session.get(FACTORS_KEY) or [])


def session_data_second_step_met(data: dict[str, Any]) -> bool:
    """A session (by its row's data) that signed in as a sign-in with two-factor on
    would: with a second factor, on a browser trusted after one, or through an
    organisation's single sign-on (whose identity provider asks for its own). A
    password- or provider-only sign-in from before two-factor was turned on does not."""
    factors = data.get(FACTORS_KEY)
    return isinstance(factors, list) and any(
        code in SECOND_STEP_FACTORS or code == Factor.SSO for code in factors
    )


def session_reauthenticated(session: SessionBase, *, at: float | None = None) -> None:
    """Record a re-authentication: the person proved themselves again just now."""
    session[AUTHENTICATED_AT_KEY] = int(time.time() if at is None else at)


def session_authenticated_at(session: SessionBase) -> datetime | None:
    """When this session last authenticated, or None (a session older than the stamp)."""
    value = session.get(AUTHENTICATED_AT_KEY)
    if not isinstance(value, int):
        return None
    return datetime.fromtimestamp(value, tz=UTC)


def factor_labels(data: dict[str, Any]) -> list[str]:
    """Human labels of the factors a session's sign-in used (unknown codes skipped);
    sessions from before SIGNED_IN_WITH_KEY was kept fall back to what they proved."""
    codes = data.get(SIGNED_IN_WITH_KEY, data.get(FACTORS_KEY))
    if not isinstance(codes, list):
        return []
    # Factor.values builds a new list on every access; the devices page asks per row.
    return [str(_LABELS[code]) for code in codes if code in _LABELS]


def on_user_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Every sign-in is a fresh authentication; a password one unless the caller says
    otherwise (second-factor and passkey sign-ins call `session_authenticated` after)."""
    session = getattr(request, "session", None)
    if session is not None:
        session_authenticated(session, factors=[Factor.PASSWORD])
