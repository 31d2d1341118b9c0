from __future__ import annotations

from typing import Any

import pytest

from tenants.models import Membership
from tenants.services import tenant_change_slug
from tests.tenants.factories import make_team

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["tenant", "role", "membership", "team", "tenantslugredirect"])
def test_every_tenants_model_has_a_searchable_admin(
    staff_client: Any, acme: Any, owner: Any, model: str
) -> None:
    make_team(acme, "Ops")
    tenant_change_slug(tenant=acme, slug="acme-co", acting_user=None)  # a redirect row
    response = staff_client.get(f"/admin/tenants/{model}/?q=acme")
    assert response.status_code == 200


def test_tenants_are_found_by_member_email_and_stripe_ids(
    staff_client: Any, acme: Any, owner: Any
) -> None:
    acme.account.stripe_customer_id = "cus_123ABC"
    acme.account.save()
    assert "Acme" in staff_client.get(f"/admin/tenants/tenant/?q={owner.email}").content.decode()
    assert "Acme" in staff_client.get("/admin/tenants/tenant/?q=cus_123ABC").content.decode()


def test_memberships_are_inline_on_tenants_and_users(
    staff_client: Any, acme: Any, owner: Any
) -> None:
    assert (
        "membership"
        in staff_client.get(f"/admin/tenants/tenant/{acme.pk}/change/").content.decode().lower()
    )
    html = staff_client.get(f"/admin/accounts/user/{owner.pk}/change/").content.decode()
    assert "Memberships" in html and Membership.objects.filter(user=owner).count() == 2
