"""A team of thousands (a directory's "everyone" group) on the teams page: its card
shows how many members it has and the first few by name, and links to the team's own
page, which lists them all a page at a time; removing someone there comes back to that
page. The pages cost the same few queries whatever the team's size."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from tenants.models import Membership, Role, Team, TeamMember, Tenant
from tenants.selectors import TEAM_CARD_MEMBERS, team_node, team_tree_page
from tenants.views import teams as team_views
from tests.tenants.factories import OrgFactory, add_member, make_team

pytestmark = pytest.mark.django_db

CHIP = 'data-testid="member-chip"'


def big_team(org: Tenant, n: int, name: str = "Everyone") -> Team:
    """A team of n new members, "Person 000" to "Person n-1". Rows in bulk, as
    tests/tenants/test_queries.py makes them: through the services a few hundred
    members would take seconds, and these tests read."""
    role = Role.objects.get(tenant=org, key="member")
    users = User.objects.bulk_create(
        [
            User(email=f"person-{i:03}@{name.lower()}.{org.slug}.example", name=f"Person {i:03}")
            for i in range(n)
        ]
    )
    members = Membership.objects.bulk_create(
        [Membership(user=u, tenant=org, role=role) for u in users]
    )
    team = make_team(org, name)
    TeamMember.objects.bulk_create([TeamMember(team=team, membership=m) for m in members])
    return team


def card(html: str, team: Team) -> str:
    after = html.split(f'id="team-{team.pk}"', 1)[1]
    return after.split('<div id="team-', 1)[0].split("<datalist", 1)[0]


def people_url(org: Tenant, team: Team, query: str = "") -> str:
    return f"/t/{org.slug}/teams/{team.pk}/people/{query}"


def test_a_large_team_s_card_shows_its_size_the_first_members_and_a_link_to_all(
    owner_client: Any, acme: Any
) -> None:
    team = big_team(acme, 30)

    shown = card(owner_client.get(f"/t/{acme.slug}/teams/").content.decode(), team)

    assert shown.count(CHIP) == TEAM_CARD_MEMBERS == 12
    assert "30 members" in shown
    assert "Person 000" in shown and "Person 011" in shown and "Person 012" not in shown
    assert "See all 30 members of Everyone" in shown
    assert f'href="{people_url(acme, team)}"' in shown


def test_a_team_that_fits_its_card_has_no_link(owner_client: Any, acme: Any) -> None:
    team = big_team(acme, 3, name="Small")

    shown = card(owner_client.get(f"/t/{acme.slug}/teams/").content.decode(), team)

    assert shown.count(CHIP) == 3 and "3 members" in shown
    assert "See all" not in shown


def test_a_team_of_everyone_offers_no_one_to_add_however_many_are_off_the_card(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    team = big_team(acme, 30)
    TeamMember.objects.create(team=team, membership=Membership.objects.get(tenant=acme, user=owner))

    shown = card(owner_client.get(f"/t/{acme.slug}/teams/").content.decode(), team)

    assert "Everyone in Acme is in this team." in shown
    assert "Add member" not in shown


def test_the_team_page_lists_everyone_a_page_at_a_time(
    owner_client: Any, acme: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(team_views, "TEAM_PAGE_SIZE", 10)
    team = big_team(acme, 25)

    first = owner_client.get(people_url(acme, team)).content.decode()
    last = owner_client.get(people_url(acme, team, "?page=3")).content.decode()

    assert first.count(CHIP) == 10 and "Person 000" in first and "Person 010" not in first
    assert "Page 1 of 3 · 25 members" in first and "25 members" in first
    assert last.count(CHIP) == 5 and "Person 020" in last and "Person 024" in last
    assert 'href="?page=2"' in last, "a link back to the page before"


def test_removing_someone_on_the_team_page_comes_back_to_the_same_page(
    owner_client: Any, acme: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(team_views, "TEAM_PAGE_SIZE", 10)
    team = big_team(acme, 25)
    leaving = Membership.objects.get(tenant=acme, user__name="Person 012")
    page = owner_client.get(people_url(acme, team, "?page=2")).content.decode()
    assert f"/teams/{team.pk}/members/{leaving.pk}/remove/" in page
    assert '<input type="hidden" name="back" value="team">' in page

    response = owner_client.post(
        f"/t/{acme.slug}/teams/{team.pk}/members/{leaving.pk}/remove/",
        {"back": "team", "page": "2"},
    )

    assert response.status_code == 302
    assert response["Location"] == people_url(acme, team, "?page=2")
    assert not TeamMember.objects.filter(team=team, membership=leaving).exists()
    after = owner_client.get(response["Location"]).content.decode()
    assert "removed from Everyone." in after and "Person 012" not in after


def test_every_member_sees_the_team_page_but_only_managers_can_remove(
    client: Any, acme: Any, member_of_acme: Any
) -> None:
    team = big_team(acme, 3)
    client.force_login(member_of_acme)

    page = client.get(people_url(acme, team)).content.decode()

    assert page.count(CHIP) == 3
    assert "/remove/" not in page.split('data-testid="team-members"', 1)[1]


def test_another_organisation_s_team_is_not_found(owner_client: Any, acme: Any, owner: Any) -> None:
    other = OrgFactory(name="Globex")
    team = big_team(other, 2)

    assert owner_client.get(people_url(acme, team)).status_code == 404


def test_the_teams_pages_read_the_same_queries_for_ten_members_or_three_hundred(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    small = big_team(acme, 10, name="Small")
    small_page = people_url(acme, small)
    owner_client.get(small_page)  # warm-up
    counts = {}
    for url in (f"/t/{acme.slug}/teams/", small_page):
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(url).status_code == 200
        counts[url] = len(queries)

    large = big_team(acme, 300, name="Large")

    with CaptureQueriesContext(connection) as queries:
        html = owner_client.get(f"/t/{acme.slug}/teams/").content.decode()
    assert len(queries) == counts[f"/t/{acme.slug}/teams/"]
    assert html.count(CHIP) == 10 + TEAM_CARD_MEMBERS
    with CaptureQueriesContext(connection) as queries:
        assert owner_client.get(people_url(acme, large)).status_code == 200
    assert len(queries) == counts[small_page]


# --- the add fields' suggestions --------------------------------------------------------


def suggest_url(org: Tenant, typed: str) -> str:
    return f"/t/{org.slug}/teams/suggest/?email={typed}"


def test_a_small_organisation_s_members_are_all_listed_for_the_add_fields(
    owner_client: Any, acme: Any
) -> None:
    big_team(acme, 3)

    html = owner_client.get(f"/t/{acme.slug}/teams/").content.decode()

    datalist = html.split('<datalist id="team-member-choices">', 1)[1].split("</datalist>", 1)[0]
    assert datalist.count("<option") == 4  # the owner and three people
    assert "/teams/suggest/" not in html, "nothing to ask while typing"


def test_a_large_organisation_s_add_fields_suggest_as_people_type(
    owner_client: Any, acme: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(team_views, "TEAM_LISTED_SUGGESTIONS", 5)
    team = big_team(acme, 30)
    stranger = User.objects.create(email="person-001@globex.example", name="Person 001")
    OrgFactory(name="Globex", owner=stranger)  # matches, but in another organisation

    html = owner_client.get(f"/t/{acme.slug}/teams/").content.decode()
    datalist = html.split('<datalist id="team-member-choices">', 1)[1].split("</datalist>", 1)[0]
    assert "<option" not in datalist, "not every member on every page view"
    assert f'hx-get="/t/{acme.slug}/teams/suggest/"' in card(html, team)

    options = owner_client.get(suggest_url(acme, "person 00")).content.decode()
    assert options.count("<option") == 10  # Person 000 to 009
    assert f'<option value="person-007@everyone.{acme.slug}.example">Person 007</option>' in options
    assert "globex" not in options, "only this organisation's members"
    by_address = owner_client.get(suggest_url(acme, "-029@")).content.decode()
    assert by_address.count("<option") == 1 and "Person 029" in by_address
    assert owner_client.get(suggest_url(acme, "p")).content.decode().strip() == ""
    assert owner_client.get(suggest_url(acme, "person")).content.decode().count("<option") == 20


def test_only_team_managers_get_suggestions(client: Any, acme: Any, member_of_acme: Any) -> None:
    client.force_login(member_of_acme)

    assert client.get(suggest_url(acme, "person")).status_code == 403


def test_a_card_refreshed_after_an_add_keeps_asking_as_people_type(
    owner_client: Any, acme: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(team_views, "TEAM_LISTED_SUGGESTIONS", 5)
    big_team(acme, 10)
    other = make_team(acme, "Design")

    response = owner_client.post(
        f"/t/{acme.slug}/teams/{other.pk}/members/",
        {"email": f"person-003@everyone.{acme.slug}.example"},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert "Person 003" in html
    assert f'hx-get="/t/{acme.slug}/teams/suggest/"' in html


def test_the_team_page_marks_who_the_sso_groups_put_in_it(owner_client: Any, acme: Any) -> None:
    team = big_team(acme, 3)
    TeamMember.objects.filter(team=team, membership__user__name="Person 001").update(via_sso=True)

    page = owner_client.get(people_url(acme, team)).content.decode()

    assert page.count('data-testid="via-sso"') == 1
    assert 'data-testid="via-sso"' in page.split("Person 001</span>", 1)[1].split("</li>", 1)[0]
    assert "removed here, they come back at their next sign-in" in page


# --- many teams (a directory syncing hundreds of groups) --------------------------------


def test_the_teams_page_shows_the_tree_a_page_at_a_time(
    owner_client: Any, acme: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(team_views, "TEAMS_PAGE_SIZE", 4)
    parent = make_team(acme, "B parent")
    for name in ("A", "C", "D"):
        make_team(acme, name)
    for name in ("B1", "B2"):
        make_team(acme, name, parent=parent)

    first = owner_client.get(f"/t/{acme.slug}/teams/").content.decode()
    second = owner_client.get(f"/t/{acme.slug}/teams/?page=2").content.decode()

    def names(html: str) -> list[str]:
        """The cards' headings in page order (a sub-team's after its arrow)."""
        return [
            card.split('<h2 class="section-title wrap-anywhere">', 1)[1]
            .split("</h2>", 1)[0]
            .rsplit("</span> ", 1)[-1]
            .strip()
            .removeprefix("<bdi>")
            .removesuffix("</bdi>")
            for card in html.split('<div id="team-')[1:]
        ]

    assert names(first) == ["A", "B parent", "B1", "B2"]  # parents before their sub-teams
    assert names(second) == ["C", "D"]
    assert "Page 1 of 2 · 6 teams" in first and f'href="/t/{acme.slug}/teams/?page=2"' in first


def test_each_page_of_the_tree_holds_its_teams_depths_and_sizes_alone(acme: Any) -> None:
    """Only the page's teams are built and counted, yet each card keeps its place in the
    whole tree: a sub-sub-team two levels in, a page opening inside a branch, and the
    member count of teams whose parents are on another page."""
    top = make_team(acme, "B top")
    middle = make_team(acme, "B middle", parent=top)
    deep = make_team(acme, "B deep", parent=middle)
    make_team(acme, "A first")
    make_team(acme, "C last")
    for _ in range(2):
        TeamMember.objects.create(team=deep, membership=add_member(acme))

    def page(number: str) -> list[tuple[str, int, int]]:
        found = team_tree_page(tenant=acme, number=number, per_page=2)
        return [(n.team.name, n.depth, n.member_total) for n in found]

    assert page("1") == [("A first", 0, 0), ("B top", 0, 0)]
    assert page("2") == [("B middle", 1, 0), ("B deep", 2, 2)]
    assert page("3") == [("C last", 0, 0)]
    assert team_node(tenant=acme, team_id=deep.pk).depth == 2
    with pytest.raises(Http404):
        team_node(tenant=OrgFactory(name="Globex"), team_id=deep.pk)


def test_a_plain_post_from_a_card_comes_back_to_its_page_of_teams(
    owner_client: Any, acme: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(team_views, "TEAMS_PAGE_SIZE", 2)
    for name in ("A", "B", "C"):
        make_team(acme, name)
    last = Team.objects.get(tenant=acme, name="C")
    page = owner_client.get(f"/t/{acme.slug}/teams/?page=2").content.decode()
    assert '<input type="hidden" name="page" value="2">' in card(page, last)

    response = owner_client.post(
        f"/t/{acme.slug}/teams/{last.pk}/members/",
        {"email": "nobody@example.com", "page": "2"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/t/{acme.slug}/teams/?page=2"


def test_the_teams_page_reads_the_same_queries_for_three_teams_or_sixty(
    owner_client: Any, acme: Any
) -> None:
    for i in range(3):
        big_team(acme, 3, name=f"Small {i}")
    url = f"/t/{acme.slug}/teams/"
    owner_client.get(url)
    with CaptureQueriesContext(connection) as few:
        owner_client.get(url)

    for i in range(57):
        big_team(acme, 2, name=f"More {i:02}")

    with CaptureQueriesContext(connection) as many:
        html = owner_client.get(url).content.decode()
    assert len(many) == len(few)
    assert html.count('<div id="team-') == team_views.TEAMS_PAGE_SIZE == 25
