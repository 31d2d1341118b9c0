from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tenants.models import Membership, Tenant
from tests.tenants.factories import add_member

pytestmark = pytest.mark.django_db


def test_create_org_makes_the_user_owner(owner: Any) -> None:
    out = StringIO()
    call_command("create_org", "--owner", owner.email.upper(), "--name", "Umbrella", stdout=out)
    tenant = Tenant.objects.get(name="Umbrella")
    assert Membership.objects.get(tenant=tenant, user=owner).role.key == "owner"
    assert f"/t/{tenant.slug}/" in out.getvalue()


def test_create_org_run_again_changes_nothing(owner: Any) -> None:
    """A provisioning script run twice made a second "Umbrella" at /t/umbrella-2/."""
    call_command("create_org", "--owner", owner.email, "--name", "Umbrella", stdout=StringIO())
    again = StringIO()
    call_command("create_org", "--owner", owner.email, "--name", " umbrella ", stdout=again)

    made = Tenant.objects.get(name="Umbrella")
    assert Tenant.objects.filter(name__iexact="umbrella").count() == 1
    assert f"already owns Umbrella at /t/{made.slug}/; nothing was created" in again.getvalue()


def test_create_org_explains_an_unknown_owner(db: None) -> None:
    with pytest.raises(CommandError, match="No user with email"):
        call_command("create_org", "--owner", "ghost@example.com", "--name", "X")


def test_tenant_members_prints_members_and_roles(acme: Any, owner: Any) -> None:
    m = add_member(acme, role_key="billing_admin")
    out = StringIO()
    call_command("tenant_members", acme.slug, stdout=out)
    text = out.getvalue()
    assert owner.email in text and "Owner" in text and "primary,billing" in text
    assert m.user.email in text and "Billing admin" in text and "2 members" in text


def test_tenant_members_explains_an_unknown_slug(db: None) -> None:
    with pytest.raises(CommandError, match="No tenant"):
        call_command("tenant_members", "nope")
