"""An owner invites a new person from the members page; the person opens the link from
the captured email, signs up and lands in the org with the invited role."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tenants.models import Invitation, Membership, Team
from tests.accounts.factories import UserFactory
from tests.accounts.mailtools import link_in
from tests.core.browser import sign_in
from tests.tenants.factories import OrgFactory, make_team


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_invite_a_new_person_who_signs_up_from_the_email_and_lands_in_the_org(
    page: Any, browser_context: Any, live_server: Any, mailoutbox: list[Any]
) -> None:
    owner = UserFactory(email="owner@example.com", name="Olive Owner")
    org = OrgFactory(owner=owner, name="Compilers Ltd")
    backend = make_team(org, "Backend")
    synced = make_team(org, "Synced staff")  # filled by the directory alone: not offered
    Team.objects.filter(pk=synced.pk).update(directory_managed=True)

    sign_in(page, owner.email)
    page.goto(f"/t/{org.slug}/members/")
    form = page.get_by_test_id("invite-form")
    form.locator("input[name=email]").fill("grace@example.com")
    form.locator("select[name=role]").select_option(label="Admin")
    assert form.get_by_label("Synced staff").count() == 0
    form.get_by_label("Backend").check()
    form.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_test_id("toast")).to_contain_text("Invitation sent to grace@example.com")
    assert "grace@example.com" in page.get_by_test_id("invites-table").inner_text()

    [email] = mailoutbox
    assert email.to == ["grace@example.com"] and "Compilers Ltd" in email.subject
    # The invitee uses their own browser profile: no cookies shared with the owner.
    invitee = browser_context.browser.new_context(base_url=live_server.url)
    try:
        guest = invitee.new_page()
        guest.goto(link_in(email))
        assert "Join Compilers Ltd" in guest.locator("h1").inner_text()
        guest.get_by_role("link", name="Create account and join").click()
        locked = guest.locator("input[name=email]")
        assert locked.input_value() == "grace@example.com" and locked.is_disabled()
        guest.fill("input[name=name]", "Grace Hopper")
        guest.fill("input[name=password]", "a-very-long-password-42")
        guest.get_by_role("button", name="Create account and join Compilers Ltd").click()
        guest.wait_for_url(f"**/t/{org.slug}/")
        assert guest.get_by_test_id("your-role").inner_text() == "Admin"
        assert "Welcome to Compilers Ltd" in guest.content()
    finally:
        invitee.close()

    grace = User.objects.get(email="grace@example.com")
    assert grace.email_verified_at is not None
    membership = Membership.objects.get(tenant=org, user=grace)
    assert membership.role.key == "admin"
    assert list(membership.teams.all()) == [backend]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [360, 1280])
def test_with_hundreds_of_teams_the_invite_form_keeps_them_in_a_box_of_their_own(
    page: Any, width: int
) -> None:
    """Past a dozen teams the checkboxes scroll inside the form, so the button and the
    pending invitations stay near; a team far down the list can still be picked."""
    owner = UserFactory()
    org = OrgFactory(owner=owner, name="Many Teams Ltd")
    teams = [make_team(org, f"Squad {i:03}") for i in range(150)]
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email)
    page.goto(f"/t/{org.slug}/members/")

    form = page.get_by_test_id("invite-form")
    box = form.get_by_test_id("invite-teams-box")
    height = box.bounding_box()["height"]
    assert height <= 200, height  # 12rem and its padding, not 150 rows
    assert box.evaluate("el => el.scrollHeight > el.clientHeight")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") == 0
    form.locator("input[name=email]").fill("lin@example.com")
    form.get_by_label("Squad 149").check()  # scrolled into view inside the box
    form.get_by_role("button", name="Send invitation").click()
    page.get_by_test_id("toast").wait_for()

    invitation = org.invitations.get(email="lin@example.com")
    assert list(invitation.teams.all()) == [teams[-1]]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [360, 1280])
def test_with_hundreds_of_teams_typing_finds_the_ones_to_pick(page: Any, width: int) -> None:
    """Typing narrows the boxed teams (case and accents aside); what is ticked stays in
    view; nothing matching says so; and the box is there again for the next invitation."""
    owner = UserFactory()
    org = OrgFactory(owner=owner, name="Many Teams Ltd")
    for i in range(150):
        make_team(org, f"Squad {i:03}")
    zurich = make_team(org, "Zürich office")
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email)
    page.goto(f"/t/{org.slug}/members/")

    form = page.get_by_test_id("invite-form")
    find = form.get_by_role("searchbox", name="Find a team")
    items = form.locator("[data-filter-item]:visible")
    assert items.count() == 151
    find.fill("SQUAD 14")
    assert items.count() == 10
    form.get_by_label("Squad 142").check()
    find.fill("zurich")
    assert [t.strip() for t in items.all_inner_texts()] == ["Squad 142", "Zürich office"]
    form.get_by_label("Zürich office").check()
    find.fill("nothing like it")
    assert items.count() == 2  # the ticked ones
    assert form.get_by_text("No team has that in its name.").is_visible()
    posts: list[str] = []
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )
    find.press("Enter")  # only finds: the form is not sent half filled
    page.wait_for_timeout(300)
    assert posts == []
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") == 0

    form.locator("input[name=email]").fill("lin@example.com")
    form.get_by_role("button", name="Send invitation").click()
    page.get_by_test_id("toast").wait_for()
    invitation = org.invitations.get(email="lin@example.com")
    assert sorted(t.name for t in invitation.teams.all()) == ["Squad 142", zurich.name]
    # The panel came back through htmx: its box works again.
    again = page.get_by_test_id("invite-form").get_by_role("searchbox", name="Find a team")
    again.fill("squad 149")
    assert page.get_by_test_id("invite-form").locator("[data-filter-item]:visible").count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_someone_with_an_account_signs_in_with_the_invited_address_filled_in(
    page: Any, mailoutbox: list[Any]
) -> None:
    from tenants.invitations import invitation_create
    from tenants.models import Role
    from tests.accounts.factories import DEFAULT_PASSWORD

    owner = UserFactory(email="owner@example.com")
    org = OrgFactory(owner=owner, name="Compilers Ltd")
    wally = UserFactory(email="wally@example.com", name="Wally")
    invitation_create(
        tenant=org,
        email=wally.email,
        role=Role.objects.get(tenant=org, key="member"),
        acting_user=owner,
    )
    page.set_viewport_size({"width": 360, "height": 740})

    page.goto(link_in(mailoutbox[-1]))
    page.get_by_role("link", name="Sign in to accept").click()
    assert page.locator("input[name=email]").input_value() == "wally@example.com"
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("button", name="Accept and join Compilers Ltd").click()

    page.wait_for_url(f"**/t/{org.slug}/")
    assert Membership.objects.filter(tenant=org, user=wally).exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [360, 1280])
def test_the_keyboard_reaches_the_teams_before_send_invitation(page: Any, width: int) -> None:
    """ "Send invitation" sat beside the role, before the teams: Tab from the role
    reached the button first, and a keyboard user sent the invitation without them."""
    owner = UserFactory()
    org = OrgFactory(owner=owner, name="Keys Ltd")
    make_team(org, "Backend")
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email, then=f"/t/{org.slug}/members/")
    form = page.get_by_test_id("invite-form")
    form.locator("input[name=email]").fill("kim@example.com")
    form.locator("select[name=role]").focus()

    page.keyboard.press("Tab")
    expect(form.get_by_label("Backend")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(form.get_by_role("button", name="Send invitation")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("toast")).to_contain_text("kim@example.com")
    invitation = Invitation.objects.get(tenant=org, email="kim@example.com")
    assert [team.name for team in invitation.teams.all()] == ["Backend"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_invited_address_wraps_after_its_at_on_a_phone(
    page: Any, mailoutbox: list[Any]
) -> None:
    """A walk read "otto@example.co" / "m" on the invitation page at 360 px: a different
    address to the eye. It may break after "@", each part kept whole."""
    from tenants.invitations import invitation_create
    from tenants.models import Role

    owner = UserFactory(email="owner@example.com")
    org = OrgFactory(owner=owner, name="Compilers Ltd")
    invitation_create(
        tenant=org,
        email="otto.zwei@example.com",
        role=Role.objects.get(tenant=org, key="member"),
        acting_user=owner,
    )
    page.set_viewport_size({"width": 360, "height": 740})

    page.goto(link_in(mailoutbox[-1]))

    shown = page.get_by_test_id("invited-email")
    assert shown.inner_text() == "otto.zwei@example.com"
    # Lines each text part of the address is drawn on: one each, never split.
    lines = shown.evaluate(
        """dd => [...dd.querySelectorAll("span")].flatMap((s) => [...s.childNodes])
        .filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => {
          const r = document.createRange(); r.selectNodeContents(n);
          return new Set([...r.getClientRects()].map((b) => Math.round(b.top))).size; })"""
    )
    assert lines == [1, 1], lines


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [360, 1280])
def test_a_refused_address_gets_the_focus_after_sending_by_keyboard(page: Any, width: int) -> None:
    """A walk sent a bad address with Enter and the focus landed on the whole invite
    card: a screen reader read all of it, and the fix took another Tab."""
    owner = UserFactory()
    org = OrgFactory(owner=owner, name="Keys Ltd")
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email, then=f"/t/{org.slug}/members/")
    form = page.get_by_test_id("invite-form")
    form.locator("input[name=email]").fill("kim at example")
    form.get_by_role("button", name="Send invitation").focus()

    page.keyboard.press("Enter")

    email = page.get_by_test_id("invite-form").locator("input[name=email]")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_be_focused()
    assert email.input_value() == "kim at example"
    assert not Invitation.objects.filter(tenant=org).exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_lock_beside_the_invited_address_covers_none_of_it(
    browser_context: Any, mailoutbox: list[Any], language: str
) -> None:
    """On the Arabic sign-up page the lock sat on the address's first letter: the field
    reads left to right, its padding was on the right, the icon on the logical end."""
    from tenants.invitations import invitation_create
    from tenants.models import Role

    owner = UserFactory(email="owner@example.com")
    org = OrgFactory(owner=owner, name="Compilers Ltd")
    invitation_create(
        tenant=org,
        email="layla@example.com",
        role=Role.objects.get(tenant=org, key="member"),
        acting_user=owner,
    )
    browser_context.set_extra_http_headers({"Accept-Language": language})
    page = browser_context.new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(link_in(mailoutbox[-1]).rstrip("/") + "/sign-up/")

    field = page.locator("input[name=email]")
    lock = field.locator("xpath=following-sibling::span[1]/*[name()='svg']")
    text_right = field.evaluate(
        """input => { const s = getComputedStyle(input);
        const c = document.createElement("canvas").getContext("2d"); c.font = s.font;
        return input.getBoundingClientRect().left + parseFloat(s.paddingLeft)
          + parseFloat(s.borderLeftWidth) + c.measureText(input.value).width; }"""
    )
    box = lock.bounding_box()
    assert field.input_value() == "layla@example.com"
    assert box is not None and box["x"] > text_right, (box, text_right)
