"""`seed_demo` makes the quick start's sign-in work, and running it twice changes nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from tenants.management.commands.seed_demo import DEMO_PASSWORD
from tenants.models import Invitation, Membership, Role, Team, Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _development(settings) -> None:
    """seed_demo is a development command (`make run` runs it with DEBUG on)."""
    settings.DEBUG = True


def _state() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (User, Tenant, Membership, Team, Role, Invitation)
    )


def test_seed_demo_creates_the_demo_people_and_org_once() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    first = _state()
    call_command("seed_demo", stdout=io.StringIO())

    # 3 personal workspaces + Acme Corp; 2 teams; 4 built-in roles in each + 1; 1 invite
    assert _state() == first == (3, 4, 6, 2, 17, 1)
    acme = Tenant.objects.get(name="Acme Corp")
    roles = dict(Membership.objects.for_tenant(acme).values_list("user__email", "role__key"))
    assert roles == {
        "owner@pacetrack.test": "owner",
        "admin@pacetrack.test": "admin",
        "member@pacetrack.test": "member",
    }
    owner = User.objects.get(email="owner@pacetrack.test")
    assert owner.is_staff and owner.check_password(DEMO_PASSWORD)
    assert all(u.email_verified_at for u in User.objects.all())


def test_a_member_cap_below_the_demo_s_size_leaves_the_invitation_out(settings) -> None:
    """`BILLING_FREE_MAX_MEMBERS=3 make run` still starts: three people fill the cap."""
    settings.BILLING_PLANS = {
        **settings.BILLING_PLANS,
        "free": {**settings.BILLING_PLANS["free"], "max_members": 3},
    }
    out = io.StringIO()

    call_command("seed_demo", stdout=out)

    assert Membership.objects.filter(tenant__name="Acme Corp").count() == 3
    assert not Invitation.objects.exists()
    assert "no demo invitation: The Free plan allows up to 3 members" in out.getvalue()
    assert "Demo data ready." in out.getvalue()


def test_the_demo_owner_can_sign_in_with_the_printed_password(client) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    response = client.post(
        "/auth/sign-in/", {"email": "owner@pacetrack.test", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/t/acme-corp/").status_code == 200


def test_seed_demo_refuses_to_create_a_published_superuser_in_production(settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("seed_demo", stdout=io.StringIO())
    assert _state() == (0, 0, 0, 0, 0, 0)


def test_seed_demo_runs_in_production_only_when_forced(settings) -> None:
    settings.DEBUG = False
    call_command("seed_demo", "--force", stdout=io.StringIO())
    assert User.objects.filter(email="owner@pacetrack.test", is_superuser=True).exists()


def test_the_demo_org_looks_in_use(mailoutbox) -> None:
    """Teams with people, a custom role and a pending invitation: the demo and the README
    screenshots show a workspace as a customer has it, not an empty shell."""
    call_command("seed_demo", stdout=io.StringIO())
    acme = Tenant.objects.get(name="Acme Corp")

    teams = {
        t.name: sorted(m.user.email for m in t.members.all())
        for t in Team.objects.filter(tenant=acme)
    }
    assert teams == {
        "Engineering": ["admin@pacetrack.test", "member@pacetrack.test"],
        "Customer Success": ["owner@pacetrack.test"],
    }
    assert Role.objects.filter(tenant=acme, name="Billing manager").exists()
    invitation = Invitation.objects.get(tenant=acme)
    assert (invitation.email, invitation.status) == ("new.hire@pacetrack.test", "pending")


def test_with_billing_on_the_demo_org_starts_on_free_and_its_gates_show(
    client: Any, settings: Any
) -> None:
    """`make run` turns the local billing backend on: Acme is on Free, so the roles page
    shows the upgrade card, and the paid-only custom role is not forced in."""
    settings.BILLING_BACKEND = "billing.backends.local.LocalBillingBackend"
    out = io.StringIO()

    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())

    acme = Tenant.objects.get(name="Acme Corp")
    assert "Acme Corp is on the Free plan" in out.getvalue()
    assert not Role.objects.filter(tenant=acme, name="Billing manager").exists()
    assert Team.objects.filter(tenant=acme).count() == 2  # Free includes teams
    client.force_login(User.objects.get(email="owner@pacetrack.test"))
    page = client.get(f"/t/{acme.slug}/roles/").content.decode()
    assert 'data-testid="upgrade-custom_roles"' in page
