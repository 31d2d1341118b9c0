"""Team membership from the IdP's groups ("Sync team membership from groups"): signing
in through the organisation's connection puts the member in the existing teams its
groups name and takes them out of those the sync added once the group is gone. Hand-made
memberships, SCIM's teams and other organisations' teams are never touched; with the
setting off nothing changes. OIDC through the local provider, SAML through the real
pysaml2 IdP posting signed responses to the live server."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from core.models import AuditEvent
from sso.models import Connection
from tenants.models import Membership, Team, TeamMember
from tenants.services import team_create, team_member_add
from tests.accounts.factories import UserFactory
from tests.sso.flows import round_trip
from tests.sso.saml_idp import LocalSamlIdP, post_response
from tests.sso.test_saml import acs_url, started
from tests.tenants.factories import OrgFactory, add_member


def sign_in(idp: Any, email: str, groups: Any, **claims: Any) -> Client:
    """A fresh browser signs in through Acme's OIDC IdP, which asserts `groups`."""
    idp.user = {"sub": f"idp-{email}", "email": email, "name": "Pat", "groups": groups, **claims}
    client = Client()
    response = round_trip(client, idp, reverse("sso:start"), {"email": email})
    assert response.status_code == 302, response.content[:300]
    return client


def teams_of(email: str, tenant: Any) -> set[str]:
    membership = Membership.objects.get(tenant=tenant, user__email=email)
    return set(
        TeamMember.objects.filter(membership=membership).values_list("team__name", flat=True)
    )


def sync_on(connection: Connection) -> Connection:
    connection.sync_teams_from_groups = True
    connection.save(update_fields=["sync_teams_from_groups"])
    return connection


@pytest.fixture
def teams(acme: Any, owner: Any) -> dict[str, Team]:
    return {
        name: team_create(tenant=acme, name=name, acting_user=owner)
        for name in ("Engineering", "Design", "Sales")
    }


# --- OpenID Connect ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_first_sign_in_joins_the_teams_its_groups_name_case_insensitively(
    idp: Any, acme: Any, acme_sso: Connection, teams: dict[str, Team]
) -> None:
    sync_on(acme_sso)

    sign_in(idp, "new.hire@example.com", ["ENGINEERING", "design", "Marketing"])

    assert teams_of("new.hire@example.com", acme) == {"Engineering", "Design"}
    assert set(Team.objects.filter(tenant=acme).values_list("name", flat=True)) == {
        "Engineering",
        "Design",
        "Sales",
    }  # "Marketing" names no team, and none is created
    event = AuditEvent.objects.filter(tenant=acme, action="team.member_added").first()
    assert event is not None and event.actor is None and event.actor_label == "SSO group sync"
    assert event.after is not None and event.after["via"] == "sso groups"


@pytest.mark.django_db
def test_a_group_dropped_at_the_idp_takes_the_member_out_at_the_next_sign_in(
    idp: Any, acme: Any, acme_sso: Connection, teams: dict[str, Team]
) -> None:
    sync_on(acme_sso)
    sign_in(idp, "pat@example.com", ["Engineering", "Design"])

    sign_in(idp, "pat@example.com", "Design")  # one group, as a plain string

    assert teams_of("pat@example.com", acme) == {"Design"}
    removed = AuditEvent.objects.get(tenant=acme, action="team.member_removed")
    assert removed.before == {"team": "Engineering"} and removed.actor_label == "SSO group sync"


@pytest.mark.django_db
def test_memberships_added_by_hand_stay_whatever_the_groups_say(
    idp: Any, acme: Any, owner: Any, acme_sso: Connection, teams: dict[str, Team]
) -> None:
    sync_on(acme_sso)
    membership = add_member(acme, UserFactory(email="pat@example.com"))
    for name in ("Sales", "Engineering"):
        team_member_add(tenant=acme, team=teams[name], membership=membership, acting_user=owner)

    sign_in(idp, "pat@example.com", ["Engineering", "Design"])
    sign_in(idp, "pat@example.com", [])

    # Sales (never asserted) and Engineering (asserted, then dropped) were added by hand.
    assert teams_of("pat@example.com", acme) == {"Sales", "Engineering"}


@pytest.mark.django_db
def test_teams_scim_manages_are_left_alone(
    idp: Any, acme: Any, acme_sso: Connection, teams: dict[str, Team]
) -> None:
    sync_on(acme_sso)
    platform = team_create(tenant=acme, name="Platform", acting_user=None, directory_managed=True)
    support = team_create(tenant=acme, name="Support", acting_user=None, directory_managed=True)
    membership = add_member(acme, UserFactory(email="pat@example.com"))
    team_member_add(
        tenant=acme, team=support, membership=membership, acting_user=None, via_directory=True
    )

    sign_in(idp, "pat@example.com", ["platform", "Engineering"])

    assert teams_of("pat@example.com", acme) == {"Support", "Engineering"}
    assert not TeamMember.objects.filter(team=platform).exists()


@pytest.mark.django_db
def test_with_the_setting_off_signing_in_changes_no_team(
    idp: Any, acme: Any, owner: Any, acme_sso: Connection, teams: dict[str, Team]
) -> None:
    assert not acme_sso.sync_teams_from_groups  # off by default
    sign_in(idp, "pat@example.com", ["Engineering"])
    assert teams_of("pat@example.com", acme) == set()
    # Turned off after a sync: what it added stays, nothing more is removed or added.
    sync_on(acme_sso)
    sign_in(idp, "pat@example.com", ["Engineering"])
    acme_sso.sync_teams_from_groups = False
    acme_sso.save()

    sign_in(idp, "pat@example.com", ["Design"])

    assert teams_of("pat@example.com", acme) == {"Engineering"}


@pytest.mark.django_db
def test_a_group_named_like_another_organisation_s_team_does_nothing(
    idp: Any, acme: Any, acme_sso: Connection, teams: dict[str, Team]
) -> None:
    sync_on(acme_sso)
    globex = OrgFactory(name="Globex")
    finance = team_create(tenant=globex, name="Finance", acting_user=None)

    sign_in(idp, "pat@example.com", ["Finance"])

    assert teams_of("pat@example.com", acme) == set()
    assert not TeamMember.objects.filter(team=finance).exists()
    assert not Membership.objects.filter(tenant=globex, user__email="pat@example.com").exists()
    assert not Team.objects.filter(tenant=acme, name__iexact="finance").exists()


@pytest.mark.django_db
def test_groups_the_idp_left_out_remove_nothing(
    idp: Any, acme: Any, acme_sso: Connection, teams: dict[str, Team]
) -> None:
    """Entra ID's "groups overage": too many groups, so the token points elsewhere."""
    sync_on(acme_sso)
    sign_in(idp, "pat@example.com", ["Engineering"])

    idp_overage = {"_claim_names": {"groups": "src1"}}
    sign_in(idp, "pat@example.com", [], **idp_overage)

    assert teams_of("pat@example.com", acme) == {"Engineering"}


@pytest.mark.django_db
def test_the_teams_page_marks_who_the_groups_put_in_a_team(
    idp: Any,
    acme: Any,
    owner: Any,
    owner_client: Any,
    acme_sso: Connection,
    teams: dict[str, Team],
) -> None:
    """Taken out by hand, they would be back at their next sign-in: the page says so."""
    sync_on(acme_sso)
    sign_in(idp, "pat@example.com", ["Engineering"])
    by_hand = add_member(acme, UserFactory(email="sam@example.com", name="Sam"))
    for name in ("Engineering", "Design"):
        team_member_add(tenant=acme, team=teams[name], membership=by_hand, acting_user=owner)

    html = owner_client.get(f"/t/{acme.slug}/teams/").content.decode()

    engineering = card(html, teams["Engineering"])
    assert engineering.count('data-testid="via-sso"') == 1
    assert 'data-testid="via-sso"' in engineering.split("Pat</span>", 1)[1].split("</li>", 1)[0]
    assert 'data-testid="via-sso"' not in engineering.split("Sam</span>", 1)[1].split("</li>", 1)[0]
    assert "they come back at their next sign-in" in engineering
    design = card(html, teams["Design"])
    assert "via-sso" not in design, "nobody there through the groups"


def card(html: str, team: Team) -> str:
    """One team's card on the teams page."""
    return html.split(f'id="team-{team.pk}"', 1)[1].split('<div id="team-', 1)[0]


@pytest.mark.django_db
def test_a_suspended_member_s_teams_are_kept_for_their_return(
    idp: Any, acme: Any, acme_sso: Connection, teams: dict[str, Team]
) -> None:
    from tenants.services import membership_suspend

    sync_on(acme_sso)
    sign_in(idp, "pat@example.com", ["Engineering"])
    membership = Membership.objects.get(tenant=acme, user__email="pat@example.com")
    membership_suspend(tenant=acme, membership=membership, acting_user=None)

    idp.user = {**idp.user, "groups": []}
    round_trip(Client(), idp, reverse("sso:start"), {"email": "pat@example.com"})

    assert teams_of("pat@example.com", acme) == {"Engineering"}


# --- The connection page ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_owner_turns_the_sync_on_and_the_audit_log_says_so(
    owner_client: Any, acme: Any, idp: Any, acme_sso: Connection
) -> None:
    from tenants.models import Role

    url = reverse("sso_settings:connection-save", kwargs={"tenant_slug": acme.slug})
    page = reverse("sso_settings:connection", kwargs={"tenant_slug": acme.slug})
    assert "Sync team membership from groups" in owner_client.get(page).content.decode()

    response = owner_client.post(
        url,
        {
            "issuer": idp.issuer,
            "client_id": "client-1",
            "scopes": "openid email profile",
            "default_role": Role.objects.get(tenant=acme, key="member").pk,
            "sync_teams_from_groups": "on",
        },
    )

    assert response.status_code == 302
    assert Connection.objects.get(tenant=acme).sync_teams_from_groups
    event = AuditEvent.objects.get(tenant=acme, action="sso.connection_changed")
    assert event.before is not None and event.after is not None
    assert not event.before["sync_teams_from_groups"] and event.after["sync_teams_from_groups"]


@pytest.mark.django_db
def test_test_connection_shows_which_teams_the_groups_map_to(
    owner_client: Any, acme: Any, owner: Any, idp: Any, acme_sso: Connection, teams: dict[str, Team]
) -> None:
    team_create(tenant=acme, name="Platform", acting_user=None, directory_managed=True)
    idp.user = {
        "sub": "okta-owner",
        "email": owner.email,
        "groups": ["engineering", "Platform", "Marketing"],
    }
    page = reverse("sso_settings:connection-test", kwargs={"tenant_slug": acme.slug})

    response = round_trip(owner_client, idp, page)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Team “Engineering”" in html
    assert "“Platform” is synced by SCIM: left alone" in html
    assert "No team of that name" in html
    assert "Team sync is off" in html
    assert not TeamMember.objects.exists()  # a test changes nobody's teams


# --- SAML ---------------------------------------------------------------------------------


def saml_sign_in(
    live_server: Any, saml_idp: LocalSamlIdP, connection: Connection, groups: list[str]
) -> None:
    session, request_id = started(live_server, saml_idp, "nadia@example.com")
    xml = saml_idp.response_xml(
        email="nadia@example.com",
        acs_url=acs_url(live_server, connection),
        in_response_to=request_id,
        attributes={"email": ["nadia@example.com"], "groups": groups} if groups else None,
    )
    response = post_response(session, acs_url(live_server, connection), xml)
    assert response.status_code == 302, response.text[:300]


@pytest.mark.xmlsec1
@pytest.mark.django_db(transaction=True)
def test_saml_groups_add_the_member_to_teams_and_a_dropped_group_removes_them(
    live_server: Any, acme: Any, owner: Any, acme_saml: Connection, saml_idp: LocalSamlIdP
) -> None:
    sync_on(acme_saml)
    for name in ("Engineering", "Design", "Sales"):
        team_create(tenant=acme, name=name, acting_user=owner)
    scim_team = team_create(tenant=acme, name="Ops", acting_user=None, directory_managed=True)
    globex = OrgFactory(name="Globex")
    team_create(tenant=globex, name="Finance", acting_user=None)

    saml_sign_in(live_server, saml_idp, acme_saml, ["engineering", "Design", "Ops", "Finance"])

    user = User.objects.get(email="nadia@example.com")  # provisioned just in time
    assert teams_of(user.email, acme) == {"Engineering", "Design"}
    membership = Membership.objects.get(tenant=acme, user=user)
    team_member_add(
        tenant=acme,
        team=Team.objects.get(tenant=acme, name="Sales"),
        membership=membership,
        acting_user=owner,
    )

    saml_sign_in(live_server, saml_idp, acme_saml, ["Design"])

    assert teams_of(user.email, acme) == {"Design", "Sales"}  # Sales was added by hand
    assert not TeamMember.objects.filter(team=scim_team).exists()
    assert not Team.objects.filter(tenant=acme, name="Finance").exists()


@pytest.mark.xmlsec1
@pytest.mark.django_db(transaction=True)
def test_saml_with_the_setting_off_groups_change_no_team(
    live_server: Any, acme: Any, owner: Any, acme_saml: Connection, saml_idp: LocalSamlIdP
) -> None:
    team_create(tenant=acme, name="Engineering", acting_user=owner)

    saml_sign_in(live_server, saml_idp, acme_saml, ["Engineering"])

    assert teams_of("nadia@example.com", acme) == set()


@pytest.mark.xmlsec1
@pytest.mark.django_db
def test_a_saml_connection_that_syncs_teams_needs_a_groups_attribute(
    acme: Any, owner: Any, saml_idp: LocalSamlIdP, dns_server: Any
) -> None:
    from sso.exceptions import ConnectionRefused
    from sso.services_saml import saml_connection_save
    from tenants.models import Role

    with pytest.raises(ConnectionRefused, match="groups attribute"):
        saml_connection_save(
            tenant=acme,
            acting_user=owner,
            idp_metadata=saml_idp.metadata,
            default_role=Role.objects.get(tenant=acme, key="member"),
            require_sso=False,
            auto_join=False,
            attr_groups="",
            sync_teams_from_groups=True,
        )
