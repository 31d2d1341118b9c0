"""In a real browser, at desktop and phone width, an organisation too large to list on
one page: a big team's card links to the team's own page, which pages through its
members and keeps its place after a removal; the add fields suggest members as people
type instead of listing everyone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tenants.models import TeamMember
from tenants.selectors import TEAM_CARD_MEMBERS
from tenants.views import teams as team_views
from tests.config.pagecheck import PageWatch
from tests.core.browser import dialog, sign_in
from tests.tenants.factories import OrgFactory, make_team
from tests.tenants.test_team_pages import big_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_a_big_team_is_read_a_page_at_a_time_and_suggestions_come_as_you_type(
    page: Any, owner: Any, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setattr(team_views, "TEAM_PAGE_SIZE", 10)
    monkeypatch.setattr(team_views, "TEAM_LISTED_SUGGESTIONS", 5)
    acme = OrgFactory(owner=owner, name="Acme")
    everyone = big_team(acme, 30)
    design = make_team(acme, "Design")
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email)

    assert watch.check(f"/t/{acme.slug}/teams/") == []
    card = page.locator(f"#team-{everyone.pk}")
    expect(card.get_by_role("listitem")).to_have_count(TEAM_CARD_MEMBERS)
    card.get_by_role("link", name="See all 30 members of Everyone").click()

    page.wait_for_url(f"**/teams/{everyone.pk}/people/")
    assert watch.axe() == []
    listing = page.get_by_test_id("team-members")
    expect(listing.get_by_role("listitem")).to_have_count(10)
    expect(listing).to_contain_text("Page 1 of 3 · 30 members")
    listing.get_by_role("link", name="Next page").click()
    page.wait_for_url("**/people/?page=2")
    listing = page.get_by_test_id("team-members")
    expect(listing).to_contain_text("Person 010")
    remove = listing.get_by_role(
        "button", name=f"Remove person-012@everyone.{acme.slug}.example from Everyone"
    )
    box = remove.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24, box  # was 12 x 20 px
    remove.click()
    # One tap no longer removes at once: the page's dialog asks, naming both.
    asked = dialog(page)
    expect(asked).to_contain_text("Remove Person 012 from Everyone?")
    asked.get_by_role("button", name="Remove").click()

    page.wait_for_url("**/people/?page=2")
    expect(page.get_by_text("removed from Everyone.")).to_be_visible()
    expect(page.get_by_test_id("team-members")).not_to_contain_text("Person 012")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.goto(f"/t/{acme.slug}/teams/")
    field = page.get_by_label("Add a member to Design")
    field.press_sequentially("person 02", delay=30)
    options = page.locator("#team-member-choices option")
    expect(options).to_have_count(10)  # Person 020 to 029, fetched for what was typed
    expect(options.first).to_have_attribute("value", f"person-020@everyone.{acme.slug}.example")
    field.fill(f"person-020@everyone.{acme.slug}.example")
    page.locator(f"#team-{design.pk}").get_by_role("button", name="Add member").click()
    expect(page.locator(f"#team-{design.pk}")).to_contain_text("Person 020")
    assert TeamMember.objects.filter(team=design, membership__user__name="Person 020").exists()
    assert watch.console == []


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_many_teams_are_read_a_page_at_a_time(
    page: Any, owner: Any, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setattr(team_views, "TEAMS_PAGE_SIZE", 2)
    acme = OrgFactory(owner=owner, name="Acme")
    for name in ("Alpha", "Bravo", "Charlie"):
        make_team(acme, name)
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email)

    assert watch.check(f"/t/{acme.slug}/teams/") == []
    teams = page.get_by_test_id("team-list")
    expect(teams.get_by_role("heading", level=2)).to_have_text(["Alpha", "Bravo"])
    expect(page.get_by_test_id("teams-pagination")).to_contain_text("Page 1 of 2 · 3 teams")
    page.get_by_test_id("teams-pagination").get_by_role("link", name="Next page").click()

    page.wait_for_url("**/teams/?page=2")
    expect(teams.get_by_role("heading", level=2)).to_have_text(["Charlie"])
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert watch.axe() == []
