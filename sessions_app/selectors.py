"""Reads of sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from sessions_app.models import Session

if TYPE_CHECKING:
    from accounts.models import User


def session_list(*, user: User) -> QuerySet[Session]:
    """The user's live sessions, most recently active first."""
    return Session.objects.filter(user=user).active().order_by("-last_activity_at", "-pk")


def session_get(*, user: User, pk: int) -> Session:
    """One live session of this user; 404 for anyone else's (never reveal it exists)."""
    return get_object_or_404(session_list(user=user), pk=pk)
