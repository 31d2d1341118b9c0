"""In a real browser: the page chrome on a phone and from the keyboard (issue 14, items 2, 13, 14).

On a phone (below 640 px) one menu holds the workspace switcher and the account links; no
page is wider than a 360 px window, even with long names and addresses; menus close on
Escape and on a click outside and give focus back; "Skip to content" is the first tab
stop; every tab stop shows where focus is; the admin and the error pages carry the
product's name and favicon.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from tenants.invitations import invitation_create
from tenants.selectors import SWITCHER_WORKSPACES
from tenants.services import team_member_add
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.core.browser import sign_in
from tests.tenants.factories import OrgFactory, add_member, make_role, make_team
from uploads.services import upload_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

# Real addresses and names are this long; the layout must wrap them, not widen the page.
LONG_EMAIL = "bartholomew.featherstonehaugh-worthington@extraordinarily-long-company-name.example"
LONG_NAME = "Maximiliana Featherstonehaugh-Worthington-Abernathy"
LONG_ORG = "Featherstonehaugh Worthington Abernathy & Partners Consolidated Holdings"

# Runs in every document before its scripts; init scripts are not subject to the page's
# CSP, so they can record what the policy refuses.
_RECORD_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.effectiveDirective} refused ${e.blockedURI || "inline"} ${e.sample}`);
});
"""


def _overflow(page: Any) -> int:
    """How many pixels the page sticks out of the window sideways (0 when it fits)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def _sticking_out(page: Any) -> str:
    """The deepest elements past the window's right edge: what to fix."""
    return page.evaluate(
        """() => {
          const out = [], past = (el) => el.getBoundingClientRect().right > innerWidth + 1;
          for (const el of document.querySelectorAll("body *")) {
            if (past(el) && ![...el.children].some(past)) {
              out.push(`${el.tagName.toLowerCase()}.${[...el.classList].slice(0, 4).join(".")}`);
            }
          }
          return out.slice(0, 3).join("; ");
        }"""
    )


def _scrolling_boxes(page: Any) -> list[str]:
    """Boxes whose content scrolls sideways inside them, but for the tab strips (which
    scroll on purpose): a table fits its box (as cards on a phone), long values wrap."""
    return page.evaluate(
        """() => [...document.querySelectorAll("body *")]
          .filter((el) => !el.matches(".tabs") && el.scrollWidth > el.clientWidth + 1
                          && ["auto", "scroll"].includes(getComputedStyle(el).overflowX))
          .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].slice(0, 4).join(".")}`)"""
    )


def _active(page: Any) -> dict[str, str]:
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          return {tag: el.tagName.toLowerCase(), id: el.id, text: el.textContent.trim(),
                  menu: el.closest("[data-testid]")?.dataset.testid || ""};
        }"""
    )


def _menu(page: Any, testid: str) -> Any:
    return page.get_by_test_id(testid)


def _is_open(menu: Any) -> bool:
    return bool(menu.evaluate("el => el.open"))


@pytest.fixture
def crowded_org(db: None) -> dict[str, Any]:
    """An organisation whose owner, members, teams, role, files, invitation and audit log
    all carry long names and addresses."""
    owner = UserFactory(email=LONG_EMAIL, name=LONG_NAME)
    org = OrgFactory(owner=owner, name=LONG_ORG)
    role = make_role(org, "Regional compliance coordinator", ["members.invite", "audit.view"])
    members = [
        add_member(org, UserFactory(email=f"{n}.{LONG_EMAIL}", name=f"{LONG_NAME} {n}"), role=role)
        for n in ("second", "third")
    ]
    team = make_team(org, "Customer success and onboarding, Europe, Middle East and Africa")
    sub = make_team(org, "Enterprise accounts with very long procurement cycles", parent=team)
    subsub = make_team(org, "Public sector and regulated industries", parent=sub)
    for node in (team, sub, subsub):
        for m in members:
            team_member_add(tenant=org, team=node, membership=m, acting_user=owner)
    for n in range(3):
        upload_create(
            tenant=org,
            uploaded_by=owner,
            file=ContentFile(b"%PDF-1.7 q3", name=f"Board-report-final-v{n}-{'x' * 60}.pdf"),
            extension="pdf",
            content_type="application/pdf",
        )
    invitation_create(tenant=org, email=f"invited.{LONG_EMAIL}", role=role, acting_user=owner)
    return {"owner": owner, "org": org, "members": members}


# --- The phone header ---------------------------------------------------------------


@pytest.mark.parametrize(("width", "named"), [(360, True), (320, False)])
def test_signed_out_the_header_fits_the_name_and_both_links_side_by_side(
    _browser: Any, live_server: Any, width: int, named: bool
) -> None:
    """In German, the longest of the three: at 360 px the product's name, "Anmelden" and
    "Loslegen" sit apart; below, the name is left to the mark (and read aloud still)."""
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 700}, locale="de"
    )
    try:
        page = context.new_page()
        page.goto("/auth/sign-up/")
        header = page.locator("header")
        home = header.get_by_role("link", name="Pacetrack")  # its name, shown or not
        boxes = [
            home.bounding_box(),
            header.get_by_role("link", name="Anmelden").bounding_box(),
            header.get_by_role("link", name="Loslegen").bounding_box(),
        ]
        shown = home.evaluate("a => a.getBoundingClientRect().width") > 40
    finally:
        context.close()
    assert shown == named
    for left, right in zip(boxes, boxes[1:], strict=False):
        assert right["x"] - (left["x"] + left["width"]) >= 4  # a gap, no overlap
    assert boxes[-1]["x"] + boxes[-1]["width"] <= width


def test_on_a_phone_one_menu_reaches_account_and_sign_out(page: Any) -> None:
    user = UserFactory()
    page.set_viewport_size(PHONE)
    sign_in(page, user.email)

    assert not _menu(page, "user-menu").is_visible()
    assert not _menu(page, "tenant-switcher").is_visible()
    menu = _menu(page, "mobile-menu")
    menu.locator("summary").click()
    menu.get_by_role("link", name="Account", exact=True).click()
    page.wait_for_url("**/account/")

    menu = _menu(page, "mobile-menu")
    menu.locator("summary").click()
    menu.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have been signed out.")).to_be_visible()


def test_a_kept_header_follows_a_rename_and_still_signs_out(page: Any) -> None:
    """The header is kept per process for what it shows (core/templatetags/memo.py): after
    a rename both menus show the new name, and the sign-out form of a header served from
    the memo carries this page's own, valid CSRF token."""
    user = UserFactory(name="Ada Original")
    page.set_viewport_size(PHONE)
    sign_in(page, user.email)
    home = page.url
    page.reload()  # the same header again: from the memo

    page.goto("/account/")
    page.fill("input[name=name]", "Ada Renamed")
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_load_state("networkidle")
    page.goto(home)  # the page whose header was kept under the old name

    menu = _menu(page, "mobile-menu")
    menu.locator("summary").click()
    text = menu.inner_text()  # initials, then (past the workspaces) the account's name
    assert text.startswith("AR") and "\nAda Renamed\n" in text, text
    page.set_viewport_size(DESKTOP)
    page.reload()  # from the memo, under the new name
    user_menu = _menu(page, "user-menu")
    user_menu.locator("summary").click()
    assert "Ada Renamed" in user_menu.inner_text()
    user_menu.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have been signed out.")).to_be_visible()


def test_on_a_phone_the_menu_switches_workspace_and_fits_the_window(page: Any) -> None:
    owner = UserFactory(email=LONG_EMAIL, name=LONG_NAME)
    orgs = [OrgFactory(owner=owner, name=LONG_ORG), OrgFactory(owner=owner, name="Second Org")]
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, owner.email)
    org = next(o for o in orgs if f"/t/{o.slug}/" not in page.url)  # one it is not in

    menu = _menu(page, "mobile-menu")
    menu.locator("summary").click()
    panel = menu.locator(".menu-panel")
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360  # never cut off
    assert _overflow(page) == 0
    panel.get_by_role("link", name=org.name).click()

    page.wait_for_url(f"**/t/{org.slug}/")
    assert org.name in page.get_by_role("heading", level=1).inner_text()


@pytest.mark.parametrize("width", [360, 1280])
def test_someone_in_many_workspaces_gets_a_short_switcher_and_reaches_the_rest(
    page: Any, width: int
) -> None:
    owner = UserFactory()
    orgs = [OrgFactory(owner=owner, name=f"Client {i:02}") for i in range(40)]
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email)

    menu = _menu(page, "mobile-menu" if width < 640 else "tenant-switcher")
    menu.locator("summary").click()
    panel = menu.locator(".menu-panel")
    assert panel.locator('a[href^="/t/"]').count() == SWITCHER_WORKSPACES
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert _overflow(page) == 0
    panel.get_by_role("link", name="All 41 workspaces").click()

    page.wait_for_url("**/account/tenants/")
    last = orgs[-1]
    assert page.get_by_test_id("tenant-list").locator("tbody tr").count() == 41
    assert _overflow(page) == 0
    page.get_by_role("link", name=f"Open {last.name}", exact=True).click()
    page.wait_for_url(f"**/t/{last.slug}/")

    menu = _menu(page, "mobile-menu" if width < 640 else "tenant-switcher")
    menu.locator("summary").click()
    current = menu.locator('.menu-panel a[aria-current="true"]')
    assert last.name in current.inner_text()  # the one it is in is always listed


def test_wide_screens_keep_the_switcher_and_the_user_menu(page: Any) -> None:
    owner = UserFactory(email=LONG_EMAIL, name=LONG_NAME)
    OrgFactory(owner=owner, name=LONG_ORG)
    sign_in(page, owner.email)

    for width in (640, 1280):  # 640 px: the narrowest screen that gets them
        page.set_viewport_size({"width": width, "height": 800})
        assert not _menu(page, "mobile-menu").is_visible()
        for testid in ("tenant-switcher", "user-menu"):
            menu = _menu(page, testid)
            menu.locator("summary").click()
            box = menu.locator(".menu-panel").bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (testid, width)
            assert _overflow(page) == 0
            page.keyboard.press("Escape")
    # Each says what it is to a screen reader (the switcher was named "<the org>" alone).
    expect(_menu(page, "tenant-switcher").locator("summary")).to_have_accessible_name(
        re.compile(r"\(switch workspace\)$")
    )
    expect(_menu(page, "user-menu").locator("summary")).to_have_accessible_name(
        re.compile(r"\(account menu\)$")
    )


@pytest.mark.parametrize("width", [360, 390, 1280])
def test_no_page_is_wider_than_the_window(
    page: Any, browser_context: Any, crowded_org: dict[str, Any], width: int
) -> None:
    browser_context.add_init_script(_RECORD_CSP)
    org = crowded_org["org"]
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, crowded_org["owner"].email)
    pages = [
        f"/t/{org.slug}/",
        f"/t/{org.slug}/members/",
        f"/t/{org.slug}/roles/",
        f"/t/{org.slug}/teams/",
        f"/t/{org.slug}/files/",
        f"/t/{org.slug}/audit/",
        f"/t/{org.slug}/settings/",
        f"/t/{org.slug}/billing/",
        "/account/tenants/",
        "/account/",
        "/account/sessions/",
    ]
    problems = []
    for url in pages:
        page.goto(url)
        if overflow := _overflow(page):
            problems.append(f"{url}: {overflow}px too wide ({_sticking_out(page)})")
        if boxes := _scrolling_boxes(page):
            problems.append(f"{url}: scrolls sideways inside {boxes}")
        _menu(page, "mobile-menu" if width < 640 else "tenant-switcher").locator("summary").click()
        if overflow := _overflow(page):
            problems.append(f"{url}, menu open: {overflow}px too wide ({_sticking_out(page)})")
        if refused := page.evaluate("window.__csp"):
            problems.append(f"{url}: CSP {refused}")
    assert problems == []


def test_tables_become_labelled_cards_on_a_phone(page: Any, crowded_org: dict[str, Any]) -> None:
    org = crowded_org["org"]
    page.set_viewport_size(PHONE)
    sign_in(page, crowded_org["owner"].email)
    page.goto(f"/t/{org.slug}/members/")

    row = page.get_by_test_id("members-table").locator("tbody tr").first
    joined = row.locator("td[data-label=Joined]")
    label = joined.evaluate("el => getComputedStyle(el, '::before').content")
    assert label == '"Joined"'
    assert page.get_by_test_id("members-table").locator("thead").bounding_box()["height"] <= 1

    page.set_viewport_size(DESKTOP)  # a real table again, headings shown
    assert joined.evaluate("el => getComputedStyle(el, '::before').content") == "none"
    assert page.get_by_test_id("members-table").locator("thead").is_visible()


# --- Menus ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("testid", "viewport"),
    [("user-menu", DESKTOP), ("tenant-switcher", DESKTOP), ("mobile-menu", PHONE)],
)
def test_escape_closes_a_menu_and_focus_returns_to_it(
    page: Any, testid: str, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    sign_in(page, UserFactory().email)
    menu = _menu(page, testid)
    menu.locator("summary").click()
    menu.locator(".menu-panel a").first.focus()
    assert _is_open(menu)

    page.keyboard.press("Escape")

    assert not _is_open(menu)
    assert _active(page)["tag"] == "summary" and _active(page)["menu"] == testid


@pytest.mark.parametrize(
    ("testid", "viewport"),
    [("user-menu", DESKTOP), ("tenant-switcher", DESKTOP), ("mobile-menu", PHONE)],
)
def test_a_click_outside_closes_a_menu_and_focus_returns_to_it(
    page: Any, testid: str, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    sign_in(page, UserFactory().email)
    menu = _menu(page, testid)
    menu.locator("summary").click()
    assert _is_open(menu)

    page.mouse.click(5, viewport["height"] - 5)  # the page's corner, outside any menu

    assert not _is_open(menu)
    assert _active(page)["tag"] == "summary" and _active(page)["menu"] == testid


def test_opening_one_menu_closes_the_other_and_tabbing_out_closes_it(page: Any) -> None:
    sign_in(page, UserFactory().email)
    switcher, user_menu = _menu(page, "tenant-switcher"), _menu(page, "user-menu")
    switcher.locator("summary").click()
    user_menu.locator("summary").click()
    assert _is_open(user_menu) and not _is_open(switcher)

    user_menu.get_by_role("button", name="Sign out").focus()
    page.keyboard.press("Tab")  # past the menu's last item

    assert not _is_open(user_menu)


# --- Keyboard -------------------------------------------------------------------------


@pytest.mark.parametrize("signed_in", [False, True])
def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(
    page: Any, signed_in: bool
) -> None:
    if signed_in:
        sign_in(page, UserFactory().email)
        page.goto("/account/")
    else:
        page.goto("/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert _active(page)["text"] == "Skip to content"
    box = skip.bounding_box()
    assert box["width"] > 20 and box["y"] >= 0  # shown while focused

    page.keyboard.press("Enter")

    assert _active(page)["id"] == "main"
    assert skip.bounding_box()["width"] <= 1  # hidden again


def test_the_current_tab_is_marked_for_assistive_technology(page: Any) -> None:
    owner = UserFactory()
    org = OrgFactory(owner=owner)
    sign_in(page, owner.email)

    page.goto(f"/t/{org.slug}/members/")
    current = page.locator('nav[aria-label="Workspace"] [aria-current="page"]')
    assert current.all_inner_texts() == ["Members"]

    page.goto("/account/sessions/")
    current = page.locator('nav[aria-label="Account"] [aria-current="page"]')
    assert current.all_inner_texts() == ["Devices"]


# The look of an element: an outline that shows, and its box shadow (where rings live).
_LOOK = """(el) => {
  el.getAnimations().forEach((a) => a.finish());  // the ring's transition, to its end
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0
    && s.outlineColor !== "rgba(0, 0, 0, 0)";
  return (outline ? `${s.outlineWidth} ${s.outlineColor}` : "no outline") + " | " + s.boxShadow;
}"""


def test_every_tab_stop_shows_where_focus_is(page: Any, crowded_org: dict[str, Any]) -> None:
    sign_in(page, crowded_org["owner"].email)
    page.goto(f"/t/{crowded_org['org'].slug}/members/")

    focused = []  # (element, its look while focused)
    for _ in range(80):
        page.keyboard.press("Tab")
        element = page.evaluate_handle("document.activeElement")
        if element.evaluate("el => el === document.body"):
            break
        focused.append((element, element.evaluate(_LOOK)))
    page.evaluate("document.activeElement.blur()")

    unmarked = [
        element.evaluate("el => `${el.tagName} ${el.textContent.trim().slice(0, 30)}`")
        for element, look in focused
        if element.evaluate(_LOOK) == look
    ]
    assert len(focused) > 15  # links, summaries, fields and buttons were all visited
    assert unmarked == []


def test_sign_in_and_invite_by_keyboard_alone(page: Any) -> None:
    owner = UserFactory()
    org = OrgFactory(owner=owner)
    page.goto("/auth/sign-in/")

    for _ in range(10):
        if page.evaluate("document.activeElement.name") == "email":
            break
        page.keyboard.press("Tab")
    page.keyboard.type(owner.email)
    page.keyboard.press("Tab")
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/t/**")

    page.goto(f"/t/{org.slug}/members/")
    for _ in range(30):
        if page.evaluate("document.activeElement.id") == "id_email":
            break
        page.keyboard.press("Tab")
    page.keyboard.type("new.colleague@example.com")
    page.keyboard.press("Enter")

    page.get_by_test_id("invites-table").get_by_text("new.colleague@example.com").wait_for()


def test_the_user_menu_works_from_the_keyboard(page: Any) -> None:
    sign_in(page, UserFactory().email)
    summary = _menu(page, "user-menu").locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert _is_open(_menu(page, "user-menu"))

    page.keyboard.press("Tab")
    assert _active(page)["text"] == "Account"
    page.keyboard.press("Enter")
    page.wait_for_url("**/account/")


# --- Admin and error pages ---------------------------------------------------------------


def test_the_admin_is_branded_with_the_product_and_its_favicon(page: Any) -> None:
    staff = UserFactory(is_staff=True, is_superuser=True)
    sign_in(page, staff.email)

    for url in ("/admin/", "/admin/uploads/upload/"):
        page.goto(url)
        assert page.locator("#site-name").inner_text() == "Pacetrack admin"
        assert page.title().endswith("| Pacetrack admin")
        icon = page.locator('link[rel="icon"]').get_attribute("href")
        assert icon.endswith("favicon.svg")
        answer = page.request.get(icon)
        assert answer.status == 200
        assert answer.headers["content-type"].startswith("image/svg+xml")


def test_error_pages_carry_the_favicon(page: Any) -> None:
    response = page.goto("/no-such-page/")
    assert response.status == 404
    icon = page.locator('link[rel="icon"]').get_attribute("href")
    assert page.request.get(icon).status == 200


@pytest.mark.parametrize("width", [360, 1280])
def test_two_workspaces_of_one_name_show_their_addresses_in_the_switcher(
    page: Any, width: int
) -> None:
    """A walk made a second "Acme Inc" and the switcher listed two identical rows."""
    owner = UserFactory()
    first = OrgFactory(owner=owner, name="Acme Inc")
    second = OrgFactory(owner=owner, name="Acme Inc")
    other = OrgFactory(owner=owner, name="Globex")
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email, then=f"/t/{other.slug}/")

    menu = _menu(page, "mobile-menu" if width < 640 else "tenant-switcher")
    menu.locator("summary").click()
    paths = menu.locator(".menu-panel").get_by_test_id("workspace-path")

    assert sorted(paths.all_inner_texts()) == sorted([f"/t/{first.slug}/", f"/t/{second.slug}/"])
    assert _overflow(page) == 0
    menu.locator(".menu-panel").get_by_role("link", name=f"Acme Inc /t/{second.slug}/").click()
    page.wait_for_url(f"**/t/{second.slug}/")
