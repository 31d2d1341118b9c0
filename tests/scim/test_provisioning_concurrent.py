"""The directory pushing two people at the same moment (Okta and Entra push in parallel
during a first sync) cannot take an organisation past its plan's member cap: the second
provisioning waits for the first and is then refused, where both used to pass the cap
check and commit. Needs PostgreSQL (real concurrent connections)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.db import connection

from billing.exceptions import PlanLimitReached
from scim.models import ScimUser
from scim.services import UserFields, scim_user_create
from tenants.models import Membership
from tests.core.concurrency import first_holds_then_second
from tests.scim.conftest import verified_domain
from tests.tenants.factories import OrgFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL"
)


def _person(name: str) -> UserFields:
    address = f"{name}@corp.example"
    return UserFields(user_name=address, emails=({"value": address, "primary": True},))


def test_two_pushes_at_the_same_moment_take_the_last_seat_once(
    transactional_db: None, settings: Any
) -> None:
    plans = copy.deepcopy(settings.BILLING_PLANS)
    plans["free"]["max_members"] = 2  # the owner and one more
    settings.BILLING_PLANS = plans
    org = OrgFactory(name="Acme")
    verified_domain(org, "corp.example")

    ann, ben = first_holds_then_second(
        lambda: scim_user_create(tenant=org, fields=_person("ann")),
        lambda: scim_user_create(tenant=org, fields=_person("ben")),
    )

    assert isinstance(ann, ScimUser) and isinstance(ben, PlanLimitReached), (ann, ben)
    assert Membership.objects.filter(tenant=org).count() == 2
