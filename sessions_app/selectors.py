"""Reads of sessions."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from core.prebuilt_sql import fetch_all, fetch_one, select_list, table
from sessions_app.authentication import session_data_second_step_met
from sessions_app.models import Session

if TYPE_CHECKING:
    from datetime import datetime

    from accounts.models import User


def session_list(*, user: User) -> QuerySet[Session]:
    """The user's live sessions, most recently active first."""
    return Session.objects.filter(user=user).active().order_by("-last_activity_at", "-pk")


@cache
def _session_rows_sql() -> str:
    # session_list's query written out (tests/core/test_prebuilt_sql.py compares the two).
    return (
        f"SELECT {select_list(Session, 's')} FROM {table(Session)} s "  # noqa: S608
        "WHERE s.user_id = %s AND s.revoked_at IS NULL AND s.expires_at > %s "
        "ORDER BY s.last_activity_at DESC, s.id DESC"
    )


def session_rows(*, user: User, now: datetime) -> list[Session]:
    """`session_list` as a list, through prebuilt SQL: the devices page reads it on every
    view and compiling the ORM query cost more than running it (core/prebuilt_sql.py)."""
    sessions: list[Session] = fetch_all(_session_rows_sql(), [user.pk, now], Session)
    return sessions


def session_list_over_limit(*, user: User, since: datetime) -> list[Session]:
    """Sessions of the user that a sign-in signed out (SESSIONS_MAX_PER_USER) since
    `since`, most recent first: the devices page tells the user which ones."""
    return list(
        Session.objects.filter(
            user=user,
            revoked_reason=Session.RevokedReason.SESSION_LIMIT,
            revoked_at__gte=since,
        ).order_by("-revoked_at", "-pk")[:20]
    )


def sessions_without_second_step(*, user: User, except_session: Session | None) -> list[Session]:
    """The user's other live sessions that signed in with less than two-factor asks for
    now (`session_data_second_step_met`): what to offer to sign out once it is on."""
    sessions = session_list(user=user).only("pk", "data")
    if except_session is not None:
        sessions = sessions.exclude(pk=except_session.pk)
    return [s for s in sessions if not session_data_second_step_met(s.data)]


def session_get(*, user: User, pk: int) -> Session:
    """One live session of this user; 404 for anyone else's (never reveal it exists)."""
    return get_object_or_404(session_list(user=user), pk=pk)


@cache
def _session_with_user_sql() -> str:
    user_model = get_user_model()
    # Identifiers come from model metadata; every value is a query parameter.
    return (
        f"SELECT {select_list(Session, 's')}, {select_list(user_model, 'u')} "  # noqa: S608
        f"FROM {table(Session)} s INNER JOIN {table(user_model)} u ON u.id = s.user_id "
        "WHERE s.token_hash = %s"
    )


def session_with_user_get(*, token_hash: str) -> Session | None:
    """The session row with this token hash and its user, in one indexed query (every
    signed-in request runs it; the SQL is prebuilt, see core/prebuilt_sql.py)."""
    found = fetch_one(_session_with_user_sql(), [token_hash], [Session, get_user_model()])
    if found is None:
        return None
    session: Session
    user: User
    session, user = found
    session.user = user
    return session
