"""The directory pushing two people at the same moment (Okta and Entra push in parallel
during a first sync) cannot take an organisation past its plan's member cap: the second
provisioning waits for the first and is then refused, where both used to pass the cap
check and commit. Needs PostgreSQL (real concurrent connections)."""

from __future__ import annotations

import copy
import threading
import time
from typing import Any

import pytest
from django.db import connection, connections, transaction

from billing.exceptions import PlanLimitReached
from scim.services import UserFields, scim_user_create
from tenants.models import Membership
from tests.scim.conftest import verified_domain
from tests.tenants.factories import OrgFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL"
)


def test_two_pushes_at_the_same_moment_take_the_last_seat_once(
    transactional_db: None, settings: Any
) -> None:
    plans = copy.deepcopy(settings.BILLING_PLANS)
    plans["free"]["max_members"] = 2  # the owner and one more
    settings.BILLING_PLANS = plans
    org = OrgFactory(name="Acme")
    verified_domain(org, "corp.example")
    first_in = threading.Event()
    outcome: dict[str, Any] = {}

    def provision(name: str, *, first: bool) -> None:
        fields = UserFields(
            user_name=f"{name}@corp.example",
            emails=({"value": f"{name}@corp.example", "primary": True},),
        )
        try:
            with transaction.atomic():
                scim_user_create(tenant=org, fields=fields)
                if first:  # provisioned, not yet committed: the other push starts now
                    first_in.set()
                    time.sleep(0.5)
            outcome[name] = "provisioned"
        except PlanLimitReached:
            outcome[name] = "refused"
        except BaseException as error:  # reported by the main thread
            outcome[name] = error
        finally:
            connections.close_all()

    first = threading.Thread(target=provision, args=("ann",), kwargs={"first": True})
    first.start()
    assert first_in.wait(10)
    second = threading.Thread(target=provision, args=("ben",), kwargs={"first": False})
    second.start()
    first.join()
    second.join()

    assert outcome == {"ann": "provisioned", "ben": "refused"}
    assert Membership.objects.filter(tenant=org).count() == 2
