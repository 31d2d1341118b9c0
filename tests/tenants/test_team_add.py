"""Adding a member to a team: typed or picked by email address (or typed by name) from
the page's one list of members, which grows with the members and not with members × teams."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tenants.models import Membership, Team, TeamMember
from tests.accounts.factories import UserFactory
from tests.tenants.factories import OrgFactory, add_member, make_team
from tests.tenants.test_queries import grow

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _owner_named(owner: Any) -> None:
    """A name no test types the start of: the factory's random one ("Amanda …",
    "Samantha …") matched "am" or "sam" now and then."""
    owner.name = "Olivia Owner"
    owner.save(update_fields=["name"])


def _add(client: Any, acme: Any, team: Team, email: str) -> str:
    url = f"/t/{acme.slug}/teams/{team.pk}/members/"
    return str(client.post(url, {"email": email}, **HTMX).content.decode())


def test_each_member_is_suggested_once_however_many_teams_there_are(
    owner_client: Any, acme: Any
) -> None:
    grow(acme, 40)  # 41 members with the owner, in 5 teams
    for i in range(10):
        make_team(acme, f"Empty {i}")

    html = owner_client.get(f"/t/{acme.slug}/teams/").content.decode()

    choices = html.split('<datalist id="team-member-choices">', 1)[1].split("</datalist>")[0]
    options = re.findall(r'<option value="([^"]+)">', choices)
    assert sorted(options) == sorted(
        Membership.objects.filter(tenant=acme).values_list("user__email", flat=True)
    )
    fields = re.findall(r'<input id="add-\d+" name="email" [^>]*list="team-member-choices"', html)
    assert len(fields) == Team.objects.filter(tenant=acme).count() == 15


def test_a_member_is_added_by_address_in_any_case(
    owner_client: Any, acme: Any, member_of_acme: Any
) -> None:
    team = make_team(acme, "Design")
    card = _add(owner_client, acme, team, f"  {member_of_acme.email.upper()} ")
    assert TeamMember.objects.filter(team=team, membership__user=member_of_acme).exists()
    assert 'role="alert"' not in card and "aria-invalid" not in card
    assert member_of_acme.email in card and 'value=""' in card  # the field is emptied


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "Type or pick the member to add."),
        ("nobody@example.com", "Nobody in Acme has the address nobody@example.com."),
        ("Mia", "Nobody in Acme is called Mia or has that address."),
    ],
)
def test_an_address_that_is_no_members_is_refused_in_the_card_and_kept(
    owner_client: Any, acme: Any, typed: str, error: str
) -> None:
    team = make_team(acme, "Design")
    card = _add(owner_client, acme, team, typed)
    assert error in card
    assert f'value="{typed}" aria-invalid="true" aria-describedby="team-{team.pk}-error"' in card
    assert not TeamMember.objects.filter(team=team).exists()


def test_a_member_is_added_by_their_name_in_any_case(owner_client: Any, acme: Any) -> None:
    mia = add_member(acme, UserFactory(name="Mia Member")).user
    team = make_team(acme, "Design")
    card = _add(owner_client, acme, team, "  mia   MEMBER ")
    assert TeamMember.objects.filter(team=team, membership__user=mia).exists()
    assert 'role="alert"' not in card and 'value=""' in card


def test_a_name_two_members_share_asks_for_the_address(owner_client: Any, acme: Any) -> None:
    first = add_member(acme, UserFactory(name="Sam Lee")).user
    add_member(acme, UserFactory(name="sam lee"))
    team = make_team(acme, "Design")

    card = _add(owner_client, acme, team, "Sam Lee")
    assert "More than one member of Acme is called Sam Lee. Type the address" in card
    assert 'value="Sam Lee" aria-invalid="true"' in card
    assert not TeamMember.objects.filter(team=team).exists()

    _add(owner_client, acme, team, first.email)
    assert list(
        TeamMember.objects.filter(team=team).values_list("membership__user", flat=True)
    ) == [first.pk]


def test_someone_of_another_workspace_cannot_be_added_by_their_name(
    owner_client: Any, acme: Any, other_user: Any
) -> None:
    add_member(OrgFactory(owner=other_user, name="Globex"), UserFactory(name="Gil Globex"))
    team = make_team(acme, "Design")
    card = _add(owner_client, acme, team, "Gil Globex")
    assert "Nobody in Acme is called Gil Globex or has that address." in card
    assert not TeamMember.objects.filter(team=team).exists()


def test_someone_of_another_workspace_cannot_be_added_by_their_address(
    owner_client: Any, acme: Any, other_user: Any
) -> None:
    add_member(OrgFactory(owner=other_user, name="Globex"), role_key="member")
    team = make_team(acme, "Design")
    card = _add(owner_client, acme, team, other_user.email)
    assert f"Nobody in Acme has the address {other_user.email}." in card
    assert not TeamMember.objects.filter(team=team).exists()


def test_adding_someone_twice_says_they_are_already_in(
    owner_client: Any, acme: Any, member_of_acme: Any
) -> None:
    team = make_team(acme, "Design")
    _add(owner_client, acme, team, member_of_acme.email)
    card = _add(owner_client, acme, team, member_of_acme.email)
    assert f"{member_of_acme.email} is already in Design." in card
    assert TeamMember.objects.filter(team=team).count() == 1


def test_a_team_with_everyone_in_it_offers_nobody(
    owner_client: Any, acme: Any, owner: Any, member_of_acme: Any
) -> None:
    team = make_team(acme, "Design")
    _add(owner_client, acme, team, member_of_acme.email)
    assert 'name="email"' in owner_client.get(f"/t/{acme.slug}/teams/").content.decode()

    card = _add(owner_client, acme, team, owner.email)

    assert "Everyone in Acme is in this team." in card and 'name="email"' not in card
    html = owner_client.get(f"/t/{acme.slug}/teams/").content.decode()
    assert "Everyone in Acme is in this team." in html


def test_without_javascript_an_unknown_address_is_a_message(owner_client: Any, acme: Any) -> None:
    team = make_team(acme, "Design")
    page = owner_client.post(
        f"/t/{acme.slug}/teams/{team.pk}/members/", {"email": "x@example.com"}, follow=True
    )
    assert "Nobody in Acme has the address x@example.com." in page.content.decode()


def test_members_who_cannot_manage_teams_get_no_list_of_addresses(
    client: Any, acme: Any, member_of_acme: Any
) -> None:
    make_team(acme, "Design")
    client.force_login(member_of_acme)
    html = client.get(f"/t/{acme.slug}/teams/").content.decode()
    assert "team-member-choices" not in html and 'name="email"' not in html


def test_the_start_of_one_members_name_adds_them(owner_client: Any, acme: Any) -> None:
    """A walk typed "otto" for Otto Zwei, who was in the suggestions, and was told
    nobody in Acme is called otto."""
    otto = add_member(acme, UserFactory(name="Otto Zwei")).user
    add_member(acme, UserFactory(name="Mia Member"))
    team = make_team(acme, "Design")

    card = _add(owner_client, acme, team, " otto ")

    assert list(
        TeamMember.objects.filter(team=team).values_list("membership__user", flat=True)
    ) == [otto.pk]
    assert 'role="alert"' not in card and 'value=""' in card


def test_the_start_of_several_names_lists_them_and_asks_for_more(
    owner_client: Any, acme: Any
) -> None:
    for name in ("Sam Lee", "Sammy Ortiz", "Ada Samson"):
        add_member(acme, UserFactory(name=name))
    team = make_team(acme, "Design")

    card = _add(owner_client, acme, team, "sam")

    assert (
        "Several members of Acme have a name starting with sam: Ada Samson, Sam Lee, "
        "Sammy Ortiz. Type the whole name or the address." in card
    )
    assert 'value="sam" aria-invalid="true"' in card
    assert not TeamMember.objects.filter(team=team).exists()


def test_part_of_a_word_inside_a_name_is_no_match(owner_client: Any, acme: Any) -> None:
    """ "am" is not the start of any word of "Sam Lee": a guess would add a stranger."""
    add_member(acme, UserFactory(name="Sam Lee"))
    team = make_team(acme, "Design")

    card = _add(owner_client, acme, team, "am")

    assert "Nobody in Acme is called am or has that address." in card
    assert not TeamMember.objects.filter(team=team).exists()


def test_in_arabic_no_full_stop_follows_the_address(
    owner_client: Any, owner: Any, acme: Any
) -> None:
    """After a left-to-right address, a full stop took the sentence's direction and was
    drawn against its start: "….nobody@nowhere.test"."""
    owner.language = "ar"
    owner.save(update_fields=["language"])
    team = make_team(acme, "Design")

    card = _add(owner_client, acme, team, "nobody@nowhere.test")

    assert "لا أحد في Acme لديه العنوان nobody@nowhere.test<" in card
