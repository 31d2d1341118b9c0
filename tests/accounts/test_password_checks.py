"""A stolen session cannot brute-force the password that guards the account.

Password change, email change, account deletion and ownership transfer ask for the
current password; wrong guesses share one budget per user (tier "password-check"),
and once it is spent even the right password is refused until it refills.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from tenants.models import Membership
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.tenants.factories import OrgFactory, add_member

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many wrong passwords"


def change_password(client: Client, user: User, password: str) -> Any:
    new = "another-long-passphrase-42"
    data = {"current_password": password, "new_password": new, "confirm_password": new}
    return client.post("/account/password/", data)


def change_email(client: Client, user: User, password: str) -> Any:
    return client.post("/account/email/", {"new_email": "moved@example.com", "password": password})


def delete_account(client: Client, user: User, password: str) -> Any:
    return client.post("/account/delete/", {"password": password, "confirm": "on"})


def transfer_ownership(client: Client, user: User, password: str) -> Any:
    org = user.memberships.get(tenant__personal_owner__isnull=True).tenant
    target = Membership.objects.get(tenant=org, role__key="member")
    return client.post(
        f"/t/{org.slug}/settings/transfer/", {"membership": target.pk, "password": password}
    )


CHECKS = [change_password, change_email, delete_account, transfer_ownership]


@pytest.fixture
def hijacked(client: Client, user: User) -> Client:
    """Someone holding the user's session (a stolen cookie, an unlocked laptop). The
    user co-owns an org, so both deletion and ownership transfer are open to them."""
    org = OrgFactory(owner=user)
    add_member(org, role_key="owner")
    add_member(org)
    client.force_login(user)
    return client


def nothing_changed(user: User) -> bool:
    user.refresh_from_db()
    return (
        user.is_active
        and user.check_password(DEFAULT_PASSWORD)
        and not user.email_tokens.filter(purpose="email_change").exists()
        and user.memberships.filter(role__key="owner", tenant__personal_owner=None).exists()
    )


@pytest.mark.parametrize("action", CHECKS, ids=lambda f: f.__name__)
def test_stolen_session_cannot_brute_force_the_current_password(
    hijacked: Client, user: User, action: Callable[..., Any]
) -> None:
    for n in range(10):
        response = action(hijacked, user, f"guess-{n}")
        assert "your current password" in response.content.decode()
    refused = action(hijacked, user, "guess-10")
    assert TOO_MANY in refused.content.decode()
    # Spent means spent: even the right password waits, and nothing happens.
    right = action(hijacked, user, DEFAULT_PASSWORD)
    assert TOO_MANY in right.content.decode()
    assert nothing_changed(user)


def test_the_budget_is_shared_by_every_password_form(hijacked: Client, user: User) -> None:
    for n, action in enumerate(CHECKS * 3):
        if n < 10:
            action(hijacked, user, f"guess-{n}")
    assert TOO_MANY in delete_account(hijacked, user, DEFAULT_PASSWORD).content.decode()
    assert nothing_changed(user)


def test_right_passwords_do_not_use_the_budget(hijacked: Client, user: User, settings: Any) -> None:
    # Each accepted email change also sends an email, which has its own budget.
    email_send = {"rate": "100/1h", "when_unavailable": "memory"}
    settings.RATELIMIT_TIERS = {**settings.RATELIMIT_TIERS, "email-send": email_send}
    for _ in range(12):
        response = change_email(hijacked, user, DEFAULT_PASSWORD)
        assert response.status_code == 302
    assert change_password(hijacked, user, DEFAULT_PASSWORD).status_code == 302


def test_each_user_has_their_own_budget(hijacked: Client, user: User, other_user: User) -> None:
    for n in range(11):
        change_email(hijacked, user, f"guess-{n}")
    other = Client()
    other.force_login(other_user)
    assert change_email(other, other_user, DEFAULT_PASSWORD).status_code == 302
