"""Teams are a plan feature: the teams page and team creation ask billing.plans."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from billing.exceptions import PlanLimitReached
from tenants import services
from tenants.models import Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def free_plan_without_teams(settings: Any) -> Any:
    # Billing on: without it nothing can be bought and no feature is withheld.
    settings.STRIPE_SECRET_KEY = "sk_test_pacetrack"
    plans = copy.deepcopy(settings.BILLING_PLANS)
    plans["free"]["features"] = []
    settings.BILLING_PLANS = plans
    return settings


def test_teams_are_included_in_the_default_free_plan(owner_client: Any, acme: Any) -> None:
    response = owner_client.post(f"/t/{acme.slug}/teams/new/", {"name": "Design"})

    assert response.status_code == 302
    assert Team.objects.for_tenant(acme).filter(name="Design").exists()


@pytest.mark.usefixtures("free_plan_without_teams")
def test_a_plan_without_teams_shows_an_upgrade_prompt_instead_of_the_form(
    owner_client: Any, acme: Any
) -> None:
    html = owner_client.get(f"/t/{acme.slug}/teams/").content.decode()

    assert 'data-testid="upgrade-teams"' in html
    assert "Group members into nested teams." in html
    assert "Create team" not in html


@pytest.mark.usefixtures("free_plan_without_teams")
def test_creating_a_team_outside_the_plan_is_refused_with_the_upgrade_page(
    owner_client: Any, acme: Any
) -> None:
    response = owner_client.post(f"/t/{acme.slug}/teams/new/", {"name": "Design"})

    # One refusal path (core.errors): the teams page again, with the reason and the upgrade.
    assert response.status_code == 400
    assert "The Free plan does not include teams" in response.content.decode()
    assert not Team.objects.for_tenant(acme).exists()


@pytest.mark.usefixtures("free_plan_without_teams")
def test_the_team_service_itself_refuses_a_plan_without_teams(acme: Any, owner: Any) -> None:
    """The rule lives in team_create, so every caller (views, admin, commands) gets it."""
    with pytest.raises(PlanLimitReached, match="The Free plan does not include teams"):
        services.team_create(tenant=acme, name="Design", acting_user=owner)

    assert not Team.objects.for_tenant(acme).exists()
