"""Single sign-on and directory sync stay with the owner role.

An attacker pass took a whole organisation with a custom role holding only "Manage single
sign-on": it pointed the organisation at its own identity provider, which then signed
in as the owner (an address on the verified domain) and, through that account, into
every other organisation the owner belongs to. Setting up the identity provider is
making an owner, so no custom role may hold it, nor directory sync (which suspends
whom it likes).
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client

from core.permissions import SCIM_MANAGE, SSO_MANAGE
from tenants.models import Role
from tenants.services import role_create, role_update
from tests.tenants.factories import add_member, make_role

pytestmark = pytest.mark.django_db

OWNER_ONLY = [SSO_MANAGE, SCIM_MANAGE]


@pytest.mark.parametrize("code", OWNER_ONLY)
def test_an_owner_cannot_make_a_role_that_sets_up_the_identity_provider(
    owner_client: Client, acme: Any, code: str
) -> None:
    response = owner_client.post(
        f"/t/{acme.slug}/roles/new/", {"name": "IdP admin", "permissions": [code, "files.manage"]}
    )

    error = response.content.decode().split('id="id_permissions_error"')[1].split("</div>")[0]
    assert "Single sign-on and directory sync stay with owners" in error
    assert not Role.objects.filter(tenant=acme, name="IdP admin").exists()


def test_the_role_form_does_not_offer_them_and_says_why(owner_client: Client, acme: Any) -> None:
    page = owner_client.get(f"/t/{acme.slug}/roles/").content.decode()

    assert 'value="files.manage"' in page
    assert f'value="{SSO_MANAGE}"' not in page and f'value="{SCIM_MANAGE}"' not in page
    assert page.count('data-testid="owner-only-permission"') == 2  # explained, not offered
    assert "Manage single sign-on" in page and "Owners only" in page
    assert "Single sign-on and directory sync stay with owners" in page


@pytest.mark.parametrize("code", OWNER_ONLY)
def test_no_way_round_the_form_gives_them_to_a_custom_role(acme: Any, code: str) -> None:
    """The staff admin's role form and commands call the same service."""
    with pytest.raises(ValidationError, match="stay with owners"):
        role_create(tenant=acme, name="IdP admin", permissions=[code], acting_user=None)
    role = make_role(acme, "Directory", ["files.manage"])
    with pytest.raises(ValidationError, match="stay with owners"):
        role_update(tenant=acme, role=role, name="Directory", permissions=[code], acting_user=None)
    role.refresh_from_db()
    assert role.permissions == ["files.manage"]


def test_a_role_that_held_them_before_loses_them_and_its_holder_the_pages(
    client: Client, acme: Any
) -> None:
    """Written before the rule (the row as it was stored), then migrated."""
    role = make_role(acme, "IdP admin", ["files.manage"])
    Role.objects.filter(pk=role.pk).update(permissions=[SSO_MANAGE, SCIM_MANAGE, "files.manage"])
    holder = add_member(acme, role=role).user
    client.force_login(holder)
    assert client.get(f"/t/{acme.slug}/settings/sso/").status_code == 200  # the hole

    migration = importlib.import_module("tenants.migrations.0016_owner_only_permissions")
    migration.strip_owner_only(apps, None)

    role.refresh_from_db()
    assert role.permissions == ["files.manage"]
    assert client.get(f"/t/{acme.slug}/settings/sso/").status_code == 403
    assert client.get(f"/t/{acme.slug}/settings/scim/").status_code == 403
    owner_role = Role.objects.get(tenant=acme, key="owner")
    assert {SSO_MANAGE, SCIM_MANAGE} <= set(owner_role.permissions)


def test_the_staff_admins_role_form_does_not_offer_them_either() -> None:
    """It listed every permission, and ticking these ended in the service's refusal."""
    from tenants.admin_forms import RoleAdminForm

    offered = {code for code, _ in RoleAdminForm().fields["permissions"].choices}

    assert "files.manage" in offered
    assert not offered & {SSO_MANAGE, SCIM_MANAGE}
