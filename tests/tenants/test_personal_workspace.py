"""A personal workspace has one person: no members, teams or roles pages, and the way to an
organisation instead."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tenants.exceptions import PersonalTenantError
from tenants.models import Team, Tenant
from tests.tenants.factories import make_team

pytestmark = pytest.mark.django_db

PAGES = ["members/", "teams/", "roles/"]


def _tabs(html: str) -> list[str]:
    nav = re.search(r'<nav class="tabs[^"]*" aria-label="Workspace">(.*?)</nav>', html, re.S)
    assert nav
    return re.findall(r'<a class="tab"[^>]*>([^<]+)</a>', nav.group(1))


def test_a_personal_workspace_offers_an_organisation_instead_of_people_tabs(
    auth_client: Any, user: Any
) -> None:
    personal = Tenant.objects.get(personal_owner=user)
    html = auth_client.get(f"/t/{personal.slug}/files/").content.decode()
    assert not {"Members", "Teams", "Roles"} & set(_tabs(html))
    assert re.search(
        r'<a [^>]*href="/account/tenants/new/"[^>]*>Create an organisation to invite people</a>',
        html,
    )


def test_an_organisation_keeps_its_people_tabs(owner_client: Any, acme: Any) -> None:
    html = owner_client.get(f"/t/{acme.slug}/").content.decode()
    assert {"Members", "Teams", "Roles"} <= set(_tabs(html))
    assert "Create an organisation to invite people" not in html


@pytest.mark.parametrize("page", [*PAGES, "roles/new/", "teams/new/"])
def test_people_pages_of_a_personal_workspace_lead_to_its_overview_and_say_why(
    auth_client: Any, user: Any, page: str
) -> None:
    personal = Tenant.objects.get(personal_owner=user)
    method = auth_client.post if page.endswith("new/") else auth_client.get
    response = method(f"/t/{personal.slug}/{page}", {"name": "Mine"}, follow=True)
    assert response.redirect_chain == [(f"/t/{personal.slug}/", 302)]
    assert "Create an organisation to invite people." in response.content.decode()
    assert not Team.objects.filter(tenant=personal).exists()


def test_an_htmx_request_for_a_people_page_navigates_the_whole_page(
    auth_client: Any, user: Any
) -> None:
    personal = Tenant.objects.get(personal_owner=user)
    response = auth_client.get(f"/t/{personal.slug}/members/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Redirect"] == f"/t/{personal.slug}/"


def test_teams_are_refused_in_a_personal_workspace(user: Any) -> None:
    personal = Tenant.objects.get(personal_owner=user)
    with pytest.raises(PersonalTenantError, match="Teams are for organisations"):
        make_team(personal, "Solo")
