"""The audit log's filter in Chromium: paging and the browser's Back keep the menu and
the rows in agreement."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from core.models import AuditEvent
from tests.accounts.factories import UserFactory
from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in
from tests.tenants.factories import add_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360])
def test_back_after_paging_a_filtered_log_shows_the_filter_it_applies(
    page: Any, owner: Any, acme: Any, width: int
) -> None:
    """Choose "File uploaded", page to Older, press Back: the rows are the filtered first
    page and the menu still says "File uploaded" (it said "All actions")."""
    AuditEvent.objects.bulk_create(
        AuditEvent(tenant=acme, action="file.uploaded", target_label=f"f{i}.pdf") for i in range(55)
    )
    AuditEvent.objects.create(tenant=acme, action="tenant.renamed", target_label="Other")
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email, then=f"/t/{acme.slug}/audit/")
    menu = page.get_by_label("Action")

    menu.select_option("file.uploaded")
    # Only the filter in force: the empty fields ("Everyone", no days) are left out.
    expect(page).to_have_url(f"{page.url.split('?')[0]}?action=file.uploaded")
    # The filtered rows are in (the address can change before the swap): its own Older.
    expect(page.get_by_test_id("audit-table")).not_to_contain_text("Other")
    page.get_by_role("link", name="Older").click()
    expect(page).to_have_url(f"{page.url.split('?')[0]}?action=file.uploaded&page=2")
    page.go_back()

    expect(page).to_have_url(f"{page.url.split('?')[0]}?action=file.uploaded")
    expect(page.get_by_test_id("audit-table")).not_to_contain_text("Other")
    expect(menu).to_have_value("file.uploaded")


@pytest.mark.parametrize("width", [1280, 360])
def test_choosing_a_person_then_an_action_shows_only_what_they_did_of_it(
    page: Any, owner: Any, acme: Any, width: int
) -> None:
    """The walk found only an action filter: "who changed this" had no answer. Choose
    the admin, then "Workspace renamed": their renames only, both kept in the URL."""
    admin = UserFactory(name="Ada Admin", email="ada@example.com")
    add_member(acme, admin, "admin")
    AuditEvent.objects.bulk_create(
        AuditEvent(tenant=acme, action=action, actor=actor, target_label=label)
        for action, actor, label in [
            ("tenant.renamed", admin, "Ada-rename"),
            ("role.created", admin, "Ada-role"),
            ("tenant.renamed", owner, "Own-rename"),
            ("tenant.renamed", None, "Sys-rename"),
        ]
    )
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email, then=f"/t/{acme.slug}/")
    assert watch.check(f"/t/{acme.slug}/audit/") == []  # no overflow at 360 px either
    table = page.get_by_test_id("audit-table")
    base = page.url.split("?")[0]

    page.get_by_label("Who").select_option(label="Ada Admin (ada@example.com)")
    expect(page).to_have_url(f"{base}?actor={admin.pk}")
    expect(table).to_contain_text("Ada-role")
    expect(table).not_to_contain_text("Own-rename")
    page.get_by_label("Action").select_option(label="Workspace renamed")

    expect(page).to_have_url(f"{base}?actor={admin.pk}&action=tenant.renamed")
    expect(table).to_contain_text("Ada-rename")
    for other in ("Ada-role", "Own-rename", "Sys-rename"):
        expect(table).not_to_contain_text(other)
    who, action = page.get_by_label("Who"), page.get_by_label("Action")
    expect(who).to_have_value(str(admin.pk))
    if width < 640:  # a phone stacks the two menus, each the page's width
        assert who.bounding_box()["y"] + who.bounding_box()["height"] < action.bounding_box()["y"]
    else:
        assert who.bounding_box()["y"] == action.bounding_box()["y"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1280, 360])
def test_from_and_to_show_the_days_chosen_and_say_when_they_cannot(
    page: Any, owner: Any, acme: Any, width: int
) -> None:
    """ "What happened on 9 March?" had no answer but paging back through the log."""
    for day, label in [(8, "On-the-8th"), (9, "On-the-9th"), (10, "On-the-10th")]:
        with time_machine.travel(datetime(2026, 3, day, 12, 0, tzinfo=UTC), tick=False):
            AuditEvent.objects.create(tenant=acme, action="tenant.renamed", target_label=label)
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email, then=f"/t/{acme.slug}/")
    assert watch.check(f"/t/{acme.slug}/audit/") == []  # four fields, no overflow at 360
    table = page.get_by_test_id("audit-table")
    since, until = page.get_by_label("From", exact=True), page.get_by_label("To", exact=True)
    base = page.url.split("?")[0]

    since.fill("2026-03-09")
    expect(table).not_to_contain_text("On-the-8th")
    until.fill("2026-03-09")

    expect(page).to_have_url(f"{base}?since=2026-03-09&until=2026-03-09")
    expect(table).to_contain_text("On-the-9th")
    expect(table).not_to_contain_text("On-the-10th")
    # Side by side on a phone too; beside the menus from sm up.
    assert since.bounding_box()["y"] == until.bounding_box()["y"]
    action = page.get_by_label("Action").bounding_box()
    box = since.bounding_box()
    assert box["height"] == action["height"]  # a menu was 2–3px shorter than a field
    if width >= 640:  # one row
        assert box["y"] == action["y"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    since.fill("2026-03-10")  # after "To": every date, and why

    expect(page.get_by_test_id("audit-period-refusal")).to_have_text(
        "“From” is after “To”; showing events of every date."
    )
    expect(table).to_contain_text("On-the-8th")
    expect(since).to_have_value("2026-03-10")  # what was typed stays to be corrected
    page.reload()
    expect(since).to_have_value("2026-03-10")  # the address keeps both, to put right
    expect(until).to_have_value("2026-03-09")
    expect(page.get_by_test_id("audit-period-refusal")).to_have_text(
        "“From” is after “To”; showing events of every date."
    )


def test_back_after_choosing_a_second_day_shows_the_first_day_it_applies(
    page: Any, owner: Any, acme: Any
) -> None:
    """htmx kept the page with the date fields as the server wrote them: Back showed
    rows from the 9th on under an empty "From"."""
    for day in (8, 9, 10):
        with time_machine.travel(datetime(2026, 3, day, 12, 0, tzinfo=UTC), tick=False):
            AuditEvent.objects.create(
                tenant=acme, action="tenant.renamed", target_label=f"On-the-{day}th"
            )
    sign_in(page, owner.email, then=f"/t/{acme.slug}/audit/")
    table = page.get_by_test_id("audit-table")
    since, until = page.get_by_label("From", exact=True), page.get_by_label("To", exact=True)
    since.fill("2026-03-09")
    expect(table).not_to_contain_text("On-the-8th")
    until.fill("2026-03-09")
    expect(table).not_to_contain_text("On-the-10th")

    page.go_back()

    expect(page).to_have_url(re.compile(r"\?since=2026-03-09$"))
    expect(table).to_contain_text("On-the-10th")
    expect(since).to_have_value("2026-03-09")
    expect(until).to_have_value("")


@pytest.mark.parametrize("width", [1280, 360])
def test_a_rows_person_shows_their_events_even_after_they_left(
    page: Any, owner: Any, acme: Any, width: int
) -> None:
    """The menu lists current members: what someone did before they left could not be
    shown. Their address in a row is a link to their events, and the menu names them."""
    gone = add_member(acme, UserFactory(name="Gina Gone", email="gina@example.com"))
    AuditEvent.objects.create(tenant=acme, action="role.created", actor=gone.user, target_label="G")
    AuditEvent.objects.create(tenant=acme, action="role.created", actor=owner, target_label="O")
    gone.delete()
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email, then=f"/t/{acme.slug}/audit/")

    page.get_by_test_id("audit-actor").filter(has_text="gina@example.com").click()

    expect(page).to_have_url(re.compile(rf"\?actor={gone.user.pk}$"))
    rows = page.get_by_test_id("audit-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("G")
    expect(page.get_by_label("Who").locator("option:checked")).to_have_text(
        "Gina Gone (gina@example.com) · no longer a member"
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_arrowing_through_the_action_menu_is_one_request_and_one_step_back(
    page: Any, owner: Any, acme: Any
) -> None:
    """Each arrow key on the closed menu changed it, and each change was a request and
    a history entry: Back stepped through every action passed on the way."""
    AuditEvent.objects.create(tenant=acme, action="tenant.renamed", target_label="Renamed")
    sign_in(page, owner.email, then=f"/t/{acme.slug}/audit/")
    base = page.url
    swaps: list[str] = []
    page.on("request", lambda r: swaps.append(r.url) if r.headers.get("hx-request") else None)
    steps = page.evaluate("history.length")
    menu = page.get_by_label("Action")

    # When each key went down, by the page's clock: a pause longer than the delay
    # (a slow machine) rightly starts another run, with its own request.
    page.evaluate(
        "window.__keys = []; document.addEventListener('keydown', () => "
        "window.__keys.push(performance.now()), true)"
    )
    menu.focus()
    for _ in range(4):
        menu.press("ArrowDown")
    chosen = menu.input_value()

    assert chosen  # the keys moved it off "All actions"
    expect(page).to_have_url(f"{base}?action={chosen}")
    page.wait_for_timeout(600)  # past the delay: nothing more is coming
    keys = page.evaluate("window.__keys")
    runs = 1 + sum(1 for a, b in zip(keys, keys[1:], strict=False) if b - a >= 400)
    assert len(keys) == 4 and len(swaps) == runs, (keys, swaps)  # one per run, not per key
    assert swaps[-1] == f"{base}?action={chosen}"
    assert page.evaluate("history.length") == steps + runs
    for _ in range(runs):
        page.go_back()
    expect(page).to_have_url(base)


def test_the_action_menu_is_grouped_by_area(page: Any, owner: Any, acme: Any) -> None:
    sign_in(page, owner.email, then=f"/t/{acme.slug}/audit/")

    files = page.locator("#audit-action optgroup[label='Files'] option")

    expect(files).to_have_text(["File deleted", "File uploaded"])


@pytest.mark.parametrize(
    ("width", "language"), [(1280, "en"), (1280, "ar"), (360, "ar")], ids=["en", "ar", "ar-phone"]
)
def test_a_long_file_name_leaves_room_for_the_change_and_the_actor_is_shown_whole(
    page: Any, acme: Any, width: int, language: str
) -> None:
    """A 190-character file name took the width and broke "application/pdf" a letter or
    two a line; an Arabic page cut the actor's address at its start."""
    owner = acme.memberships.get(role__key="owner").user
    owner.email = "olivia.owner.with.a.long.address@pacetrack-example.test"
    owner.language = language
    owner.save(update_fields=["email", "language"])
    AuditEvent.objects.create(
        tenant=acme,
        action="file.uploaded",
        actor=owner,
        target_label="quarterly-report-" * 11 + ".pdf",
        after={"size": 1234, "content_type": "application/pdf"},
    )
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email, then=f"/t/{acme.slug}/")

    assert watch.check(f"/t/{acme.slug}/audit/") == []
    actor = page.get_by_test_id("audit-actor").first
    expect(actor).to_have_text(owner.email)
    assert actor.evaluate("el => el.scrollWidth <= el.clientWidth")  # nothing cut off
    change = page.get_by_test_id("audit-change").first
    page.screenshot(path=f"/tmp/audit-{width}-{language}.png", full_page=True)
    if width >= 640:  # a phone gives each value the card's width beside its label
        assert change.evaluate("el => el.getBoundingClientRect().width") >= 160
    # "application/pdf" on one line: as tall as the two lines of size and type at most.
    assert change.evaluate("el => el.getBoundingClientRect().height") <= 3 * 16


# The lines an element's text is laid out on, in order.
LINES = """
el => {
  const lines = new Map();
  const range = document.createRange();
  for (const node of el.childNodes) {
    if (node.nodeType !== Node.TEXT_NODE) continue;
    for (let i = 0; i < node.data.length; i++) {
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const top = Math.round(range.getBoundingClientRect().top);
      lines.set(top, (lines.get(top) || "") + node.data[i]);
    }
  }
  return [...lines.entries()].sort((a, b) => a[0] - b[0]).map((entry) => entry[1]);
}
"""


def test_on_a_phone_the_actors_address_wraps_after_its_at_sign(page: Any, acme: Any) -> None:
    """The walk saw "owner@pacetrack.tes" over a lone "t": another address at a glance."""
    owner = acme.memberships.get(role__key="owner").user
    owner.email = "owner.of.acme@pacetrack.test"
    owner.save(update_fields=["email"])
    AuditEvent.objects.create(tenant=acme, action="file.uploaded", actor=owner, target_label="a")
    page.set_viewport_size({"width": 360, "height": 800})
    sign_in(page, owner.email, then=f"/t/{acme.slug}/audit/")

    actor = page.get_by_test_id("audit-actor").first
    expect(actor).to_have_text(owner.email)

    assert actor.evaluate(LINES) == ["owner.of.acme@", "pacetrack.test"]


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_long_one_word_target_leaves_the_person_whole_at_desktop_width(
    page: Any, acme: Any, language: str
) -> None:
    """A team named a hundred "T"s squeezed the Who column: the avatar's two letters
    stacked in a sliver, and "nadia2@example.com" broke over three lines."""
    owner = acme.memberships.get(role__key="owner").user
    owner.email = "nadia2@example.com"
    owner.language = language
    owner.save(update_fields=["email", "language"])
    AuditEvent.objects.create(
        tenant=acme,
        action="team.created",
        actor=owner,
        target_label="T" * 100,
        after={"name": "T" * 100},
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email, then=f"/t/{acme.slug}/audit/")

    actor = page.get_by_test_id("audit-actor").first
    assert actor.evaluate(LINES) == ["nadia2@example.com"]
    avatar = actor.locator("xpath=preceding-sibling::*[1]")
    box = avatar.bounding_box()
    assert box is not None and round(box["width"]) == round(box["height"]) == 24
    assert watch.check(page.url) == []


@pytest.mark.parametrize("width", [1280, 360])
def test_the_filtered_events_download_as_csv(page: Any, owner: Any, acme: Any, width: int) -> None:
    """After choosing a filter (swapped in by htmx), the link downloads what it shows."""
    AuditEvent.objects.create(tenant=acme, action="file.uploaded", target_label="report.pdf")
    AuditEvent.objects.create(tenant=acme, action="tenant.renamed", target_label="Renamed")
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email, then=f"/t/{acme.slug}/audit/")
    page.get_by_label("Action").select_option("file.uploaded")
    expect(page.get_by_test_id("audit-table")).not_to_contain_text("Renamed")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download these events (CSV)").click()

    assert download.value.suggested_filename.startswith(f"audit-{acme.slug}-")
    body = download.value.path().read_text(encoding="utf-8-sig")
    assert "report.pdf" in body and "Renamed" not in body
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


# The chosen person's line in the closed "Who" menu: the direction it reads in, and the
# widths of the whole line, of the name, and of the room the menu gives its text (its
# padding and the arrow taken off), measured in the menu's font.
CHOSEN_PERSON = """
(select, name) => {
  const option = select.selectedOptions[0];
  const style = getComputedStyle(select);
  const context = document.createElement("canvas").getContext("2d");
  context.font = style.font;
  const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
  const arrow = 24;
  return {
    direction: getComputedStyle(option).direction,
    line: context.measureText(option.text).width,
    name: context.measureText(name).width,
    room: select.clientWidth - padding - arrow,
  };
}
"""


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("width", [1280, 360])
def test_the_chosen_persons_name_shows_in_the_who_menu(
    page: Any, owner: Any, acme: Any, width: int, language: str
) -> None:
    """An Arabic page at 1280 px showed only "@pacetrack.test)" for "Olivia Owner
    (owner@pacetrack.test)": the line read right to left and lost its start. Chromium
    cuts a line too long for the menu at its end, so the name shows when the line reads
    in the name's direction (left to right for a Latin one) and the name fits."""
    olivia = UserFactory(name="Olivia Owner", email="olivia.owner@pacetrack.test")
    add_member(acme, olivia, "admin")
    owner.language = language
    owner.save(update_fields=["language"])
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email, then=f"/t/{acme.slug}/audit/")
    who = page.locator("#audit-actor")

    who.select_option(str(olivia.pk))

    expect(page).to_have_url(re.compile(rf"\?actor={olivia.pk}$"))
    chosen = who.evaluate(CHOSEN_PERSON, "Olivia Owner")
    if width >= 640:  # the case the walk found: the line is longer than the menu
        assert chosen["line"] > chosen["room"]
    assert chosen["direction"] == "ltr"
    assert chosen["name"] <= chosen["room"]


SAID_LOG = """() => {
  const region = document.querySelector('[data-testid=audit-said]');
  region.dataset.since = 'load';
  window.__said = [];
  new MutationObserver(() => window.__said.push(region.textContent)).observe(
    region, { childList: true, characterData: true, subtree: true });
}"""


@pytest.mark.parametrize("width", [1280, 360])
def test_a_filter_change_is_said_by_a_status_that_was_there_before_it(
    page: Any, owner: Any, acme: Any, width: int
) -> None:
    """The table changed silently under the menu the focus stays on: a polite status,
    in the page from its load (one inserted with the results is often not read out),
    says how many events there are now, or that none match; the same words again too."""
    for n in range(3):
        AuditEvent.objects.create(tenant=acme, action="tenant.renamed", target_label=f"N{n}")
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email, then=f"/t/{acme.slug}/audit/")
    said = page.locator("[data-testid=audit-said][role=status]")
    expect(said).to_have_text("")  # nothing to say before a change
    page.evaluate(SAID_LOG)
    said = page.locator("[data-testid=audit-said][data-since=load]")  # the same one after
    menu = page.get_by_label("Action")

    menu.focus()
    menu.select_option("tenant.renamed")
    expect(said).to_have_text("3 events")
    expect(menu).to_be_focused()

    page.get_by_label("From", exact=True).fill("2030-01-01")
    expect(said).to_have_text("No events match the chosen filters.")

    page.get_by_label("From", exact=True).fill("")
    expect(said).to_have_text("3 events")
    page.get_by_label("To", exact=True).fill("2030-01-01")  # the same three
    expect(page).to_have_url(re.compile(r"until=2030-01-01"))
    page.wait_for_function("() => window.__said.filter((t) => t === '3 events').length === 3")
    # Emptied before each saying, so the same words are read out again.
    assert page.evaluate("window.__said.filter((t) => t !== '')") == [
        "3 events",
        "No events match the chosen filters.",
        "3 events",
        "3 events",
    ]
    assert page.locator("#audit-events [role=status]").count() == 0
