from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.accounts.factories import UserFactory
from tests.tenants.factories import OrgFactory, add_member


@pytest.fixture
def owner(db: None) -> Any:
    return UserFactory()


@pytest.fixture
def acme(owner: Any) -> Any:
    """An org owned by `owner`."""
    return OrgFactory(owner=owner, name="Acme")


@pytest.fixture
def member_of_acme(acme: Any) -> Any:
    """A plain member of acme (role `member`)."""
    return add_member(acme).user


@pytest.fixture
def admin_of_acme(acme: Any) -> Any:
    return add_member(acme, role_key="admin").user


@pytest.fixture
def owner_client(client: Any, owner: Any) -> Any:
    client.force_login(owner)
    return client


@pytest.fixture
def three_seat_free_plan(settings: Any) -> Any:
    """A Free plan capped at 3 members, whatever the project's default cap is."""
    plans = copy.deepcopy(settings.BILLING_PLANS)
    plans["free"]["max_members"] = 3
    settings.BILLING_PLANS = plans
    return settings
