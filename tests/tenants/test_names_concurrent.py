"""Two teams (or two custom roles) of one name created at the same moment: the second
waits for the first under the tenant's lock and is refused in words, where it used to
pass the free-name check beside the first and fail on the unique constraint, a 500.
Needs PostgreSQL (concurrent connections)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tenants.models import Role, Team
from tenants.services import role_create, role_update, team_create
from tests.core.concurrency import first_holds_then_second
from tests.tenants.factories import OrgFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL"
)


@pytest.fixture
def org(transactional_db: None, settings: Any) -> Any:
    plans = copy.deepcopy(settings.BILLING_PLANS)
    plans["free"]["features"] = [*plans["free"].get("features", []), "teams", "custom_roles"]
    settings.BILLING_PLANS = plans
    return OrgFactory(name="Acme")


def test_two_teams_of_one_name_at_once_one_is_refused_in_words(org: Any) -> None:
    def create() -> Team:
        return team_create(tenant=org, name="Platform", acting_user=None)

    first, second = first_holds_then_second(create, create)

    assert isinstance(first, Team), first
    assert isinstance(second, ValidationError), second
    assert Team.objects.filter(tenant=org, name="Platform").count() == 1


def test_two_roles_of_one_name_at_once_one_is_refused_in_words(org: Any) -> None:
    def create() -> Role:
        return role_create(tenant=org, name="Auditor", permissions=[], acting_user=None)

    first, second = first_holds_then_second(create, create)

    assert isinstance(first, Role), first
    assert isinstance(second, ValidationError), second
    assert Role.objects.filter(tenant=org, name="Auditor").count() == 1


def test_a_rename_beside_a_create_of_that_name_is_refused_in_words(org: Any) -> None:
    """role_update checked the new name under the role's lock only: a create of the
    same name beside it passed too, and the rename was a 500."""
    temp = role_create(tenant=org, name="Temp", permissions=[], acting_user=None)

    created, renamed = first_holds_then_second(
        lambda: role_create(tenant=org, name="Auditor", permissions=[], acting_user=None),
        lambda: role_update(
            tenant=org, role=temp, name="Auditor", permissions=[], acting_user=None
        ),
    )

    assert isinstance(created, Role), created
    assert isinstance(renamed, ValidationError), renamed
    assert Role.objects.filter(tenant=org, name="Auditor").count() == 1
