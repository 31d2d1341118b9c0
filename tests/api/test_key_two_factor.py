"""An organisation that requires two-factor authentication shuts a member without a
second factor out of its pages once the grace period ends; their API keys are shut out
with them. An attack found a member refused every page still deleting files and
reading the audit log through the key they made before the requirement."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from api.selectors import api_key_for_secret
from core.permissions import AUDIT_VIEW, FILES_MANAGE, MEMBERS_MANAGE
from mfa.models import Passkey
from mfa.services import two_factor_reset
from tenants.models import Role
from tenants.services.two_factor import tenant_two_factor_release, tenant_two_factor_require
from tests.accounts.factories import UserFactory
from tests.api.conftest import make_file, make_key
from tests.mfa.helpers import enable_totp
from tests.tenants.factories import OrgFactory, add_member
from uploads.models import Upload

pytestmark = pytest.mark.django_db

SCOPES = [MEMBERS_MANAGE, FILES_MANAGE, AUDIT_VIEW]


def _call(key: str, method: str, path: str) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    if method == "GET":
        return Client().get(f"/api/v1{path}", **headers)
    return Client().post(f"/api/v1{path}", "{}", content_type="application/json", **headers)


@pytest.fixture
def admin(acme: Any) -> Any:
    return add_member(acme, role=Role.objects.get(tenant=acme, key="admin"))


def _after_grace() -> Any:
    return time_machine.travel(timezone.now() + timedelta(days=8))


def test_a_key_whose_creator_is_shut_out_is_refused(acme: Any, owner: Any, admin: Any) -> None:
    key = make_key(acme, admin.user, SCOPES)
    file = make_file(acme, owner)
    tenant_two_factor_require(tenant=acme, acting_user=owner, grace_days=7)

    assert _call(key, "GET", "/members").status_code == 200  # the grace period: as the pages
    with _after_grace():
        for method, path in [
            ("GET", "/members"),
            ("GET", "/audit-events"),
            ("POST", f"/files/{file.pk}/delete"),
        ]:
            response = _call(key, method, path)
            assert response.status_code == 403, (path, response.content)
            problem = response.json()
            assert problem["type"].endswith("/two-factor-required")
            assert "requires two-factor authentication" in problem["detail"]
    assert Upload.objects.filter(pk=file.pk).exists()


def test_a_grace_of_no_days_shuts_it_out_at_once(acme: Any, owner: Any, admin: Any) -> None:
    key = make_key(acme, admin.user, SCOPES)
    tenant_two_factor_require(tenant=acme, acting_user=owner, grace_days=0)

    assert _call(key, "GET", "/members").status_code == 403


@pytest.mark.parametrize("factor", ["app", "passkey"])
def test_it_works_again_once_its_creator_sets_up_a_factor(
    acme: Any, owner: Any, admin: Any, factor: str
) -> None:
    key = make_key(acme, admin.user, SCOPES)
    tenant_two_factor_require(tenant=acme, acting_user=owner, grace_days=0)
    assert _call(key, "GET", "/members").status_code == 403

    if factor == "app":
        enable_totp(admin.user)
    else:
        Passkey.objects.create(user=admin.user, name="Laptop", credential_id="x", public_key=b"k")

    assert _call(key, "GET", "/members").status_code == 200


def test_an_operators_reset_or_releasing_the_requirement_moves_it_with_the_pages(
    acme: Any, owner: Any, admin: Any
) -> None:
    enable_totp(admin.user)
    key = make_key(acme, admin.user, SCOPES)
    tenant_two_factor_require(tenant=acme, acting_user=owner, grace_days=0)
    assert _call(key, "GET", "/members").status_code == 200

    two_factor_reset(user=admin.user)  # the person cannot remove it while required
    assert _call(key, "GET", "/members").status_code == 403

    tenant_two_factor_release(tenant=acme, acting_user=owner)
    assert _call(key, "GET", "/members").status_code == 200


def test_another_organisations_requirement_does_not_touch_it(
    acme: Any, owner: Any, admin: Any
) -> None:
    key = make_key(acme, admin.user, SCOPES)
    other_owner: Any = UserFactory()
    other_org = OrgFactory(owner=other_owner, name="Globex")
    add_member(other_org, user=admin.user)
    tenant_two_factor_require(tenant=other_org, acting_user=other_owner, grace_days=0)

    assert _call(key, "GET", "/members").status_code == 200


def test_the_lookup_reads_it_in_its_one_query(
    acme: Any, owner: Any, admin: Any, django_assert_num_queries: Any
) -> None:
    key = make_key(acme, admin.user, SCOPES)
    with django_assert_num_queries(1):
        found = api_key_for_secret(raw=key)
    assert found is not None and not found.creator_needs_two_factor

    tenant_two_factor_require(tenant=acme, acting_user=owner, grace_days=0)
    with django_assert_num_queries(1):
        found = api_key_for_secret(raw=key)
    assert found is not None and found.creator_needs_two_factor


def test_the_keys_page_marks_it_paused_and_says_why(
    client: Any, acme: Any, owner: Any, admin: Any
) -> None:
    enable_totp(owner)
    compliant = add_member(acme, role=Role.objects.get(tenant=acme, key="admin"))
    enable_totp(compliant.user)
    make_key(acme, admin.user, SCOPES, name="Without")
    make_key(acme, compliant.user, SCOPES, name="WithApp")
    tenant_two_factor_require(tenant=acme, acting_user=owner, grace_days=0)
    client.force_login(owner)

    page = client.get(f"/t/{acme.slug}/settings/api-keys/").content.decode()

    with_app = page[page.index("WithApp") : page.index("Without")]  # newest first
    without = page[page.index("Without") : page.index("</table>")]
    assert 'data-testid="key-paused"' in without and "key-paused" not in with_app
    assert (
        f"Paused because this organisation requires two-factor authentication and "
        f"{admin.user.email} has not set it up" in without
    )
