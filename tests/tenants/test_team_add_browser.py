"""In a real browser, at desktop and phone width: a team card's add field suggests the
workspace's members (the page's one list), refuses an address nobody has in place and
keeps it, then adds a member typed by address and one typed by name."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tenants.models import TeamMember
from tenants.services import team_member_add
from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in, workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_adding_a_member_to_a_team_by_address(page: Any, width: int) -> None:
    w = workspace()
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, w.owner.email)
    assert watch.check(w.url("teams/")) == []
    card = page.locator(f"#team-{w.team.pk}")
    field = card.get_by_label("Add a member to Design")

    suggested = field.evaluate("input => [...input.list.options].map(o => o.value)")
    assert sorted(suggested) == ["adam@example.com", "mia@example.com", "olivia@example.com"]

    field.fill("nobody@example.com")
    card.get_by_role("button", name="Add member").click()
    card.get_by_role("alert").filter(has_text="Nobody in Acme has the address").wait_for()
    field = card.get_by_label("Add a member to Design")
    assert field.input_value() == "nobody@example.com"
    assert field.get_attribute("aria-invalid") == "true"
    assert page.evaluate(OVERFLOW) <= 0
    # Said under the field that was refused, not above the card's members list.
    error, typed = card.get_by_role("alert").bounding_box(), field.bounding_box()
    assert error is not None and typed is not None
    assert 0 <= error["y"] - (typed["y"] + typed["height"]) < 60, (error, typed)

    field.fill("adam@example.com")
    card.get_by_role("button", name="Add member").click()
    card.get_by_text("Adam Admin").wait_for()

    assert TeamMember.objects.filter(team=w.team, membership=w.admin).exists()
    assert card.get_by_role("alert").count() == 0
    assert card.get_by_label("Add a member to Design").input_value() == ""
    assert page.evaluate(OVERFLOW) <= 0

    card.get_by_label("Add a member to Design").fill("olivia OWNER")  # a name, not picked
    card.get_by_role("button", name="Add member").click()
    card.get_by_text("Everyone in Acme is in this team.").wait_for()
    assert TeamMember.objects.filter(team=w.team, membership__user=w.owner).exists()
    assert card.get_by_text("Olivia Owner").count() == 1
    assert card.get_by_role("alert").count() == 0
    assert page.evaluate(OVERFLOW) <= 0
    assert watch.console == []


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_members_the_sso_groups_put_in_a_team_are_marked(page: Any, width: int) -> None:
    """Removed by hand, they would be back at their next sign-in: the chip and the card
    say so (the sync's own call, as a sign-in through the connection makes it)."""
    w = workspace()
    team_member_add(tenant=w.org, team=w.team, membership=w.admin, acting_user=None, via_sso=True)
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, w.owner.email)

    assert watch.check(w.url("teams/")) == []
    card = page.locator(f"#team-{w.team.pk}")
    adam = card.get_by_role("listitem").filter(has_text="Adam Admin")
    expect(adam.get_by_test_id("via-sso")).to_be_visible()
    expect(adam).to_contain_text("(from your identity provider's groups)")  # read aloud
    expect(
        card.get_by_role("listitem").filter(has_text="Mia Member").get_by_test_id("via-sso")
    ).to_have_count(0)
    expect(card.get_by_test_id("via-sso-note")).to_contain_text(
        "removed here, they come back at their next sign-in"
    )
