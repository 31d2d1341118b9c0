"""Receivers for other apps' notifications: a few lines that call a service."""

from __future__ import annotations

from typing import Any

from billing.services import account_seats_sync_enqueue


def on_membership_changed(sender: Any, *, tenant: Any, **kwargs: Any) -> None:
    """A member joined or left: the account's paid seats may need to follow."""
    account_seats_sync_enqueue(account_id=tenant.account_id)
