"""On a phone, a strip of tabs wider than the screen says so: it fades out at each edge
with more tabs past it (a walk read "file & password" as the first tab at 360 px, with
nothing saying the strip scrolls), with an arrow over the fade that scrolls the strip. At
desktop width nothing fades."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.core.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EDGES = "s => [s.hasAttribute('data-more-left'), s.hasAttribute('data-more-right')]"
# Whether the strip's i-th tab is wholly inside the strip's box.
CLEAR = """(s, i) => { const t = s.querySelectorAll('a')[i].getBoundingClientRect();
    const r = s.getBoundingClientRect(); return t.left >= r.left - 1 && t.right <= r.right + 1; }"""


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_scrolling_tab_strip_fades_where_more_tabs_are(page: Any, language: str) -> None:
    user = UserFactory(language=language)
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, user.email)
    page.goto("/account/security/")
    strip = page.locator(".tabs").first
    assert strip.evaluate("s => s.scrollWidth > s.clientWidth")

    # Scrolled to where the strip starts (left in English, right in Arabic).
    strip.evaluate("s => { s.scrollLeft = 0; s.dispatchEvent(new Event('scroll')); }")
    at_start = strip.evaluate(EDGES)
    assert at_start == ([False, True] if language == "en" else [True, False]), at_start
    assert strip.evaluate("s => getComputedStyle(s).maskImage") != "none"

    # Scrolled to where it ends: the fade moves to the other edge.
    strip.evaluate(
        """s => { s.scrollLeft = getComputedStyle(s).direction === 'rtl' ? -s.scrollWidth
        : s.scrollWidth; s.dispatchEvent(new Event('scroll')); }"""
    )
    at_end = strip.evaluate(EDGES)
    assert at_end == ([True, False] if language == "en" else [False, True]), at_end


@pytest.mark.parametrize("language", ["en", "ar"])
def test_an_arrow_over_the_fade_scrolls_to_the_tabs_past_it(page: Any, language: str) -> None:
    """The fade alone was taken for the strip's end (the next walk's "Roles" half gone
    with nothing to tap): an arrow sits over it and brings the hidden tabs in."""
    user = UserFactory(language=language)
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, user.email)
    page.goto("/account/security/")
    strip = page.locator(".tabs").first
    strip.evaluate("s => { s.scrollLeft = 0; s.dispatchEvent(new Event('scroll')); }")
    # Where the strip starts: more past its end (right in English, left in Arabic).
    onward, back = ("right", "left") if language == "en" else ("left", "right")
    ahead = page.locator(f".tabs-arrow[data-side='{onward}']")
    behind = page.locator(f".tabs-arrow[data-side='{back}']")
    expect(ahead).to_be_visible()
    expect(behind).to_be_hidden()
    assert ahead.bounding_box()["height"] >= 24 and ahead.bounding_box()["width"] >= 24
    assert not strip.evaluate(CLEAR, strip.locator("a").count() - 1)

    def tap_until_gone(arrow: Any) -> int:
        """Tap while the arrow shows (how many screenfuls depends on the words' widths:
        one in Arabic, two in English); each tap's smooth scroll settles first."""
        taps = 0
        while arrow.is_visible() and taps < 6:
            arrow.click()
            taps += 1
            page.wait_for_timeout(500)
        expect(arrow).to_be_hidden()
        return taps

    assert tap_until_gone(ahead) >= 1

    expect(behind).to_be_visible()
    assert strip.evaluate(CLEAR, strip.locator("a").count() - 1), "the last tab is not in view"
    assert tap_until_gone(behind) >= 1
    assert strip.evaluate(CLEAR, 0), "the first tab is not back in view"
    # Pointer help only: neither arrow is a tab stop or read out.
    assert page.locator(".tabs-arrow").evaluate_all(
        "arrows => arrows.every(a => a.tabIndex === -1 && a.getAttribute('aria-hidden') === 'true')"
    )


@pytest.mark.parametrize("language", ["en", "ar"])
def test_each_chevron_sits_on_its_arrows_outer_solid_side(page: Any, language: str) -> None:
    """Over the fade, each arrow is solid at the screen's edge and clear towards the tabs;
    its chevron must be on the solid side. In Arabic both chevrons sat on the clear side,
    drawn over the fading tabs' letters."""
    user = UserFactory(language=language)
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, user.email)
    page.goto("/account/security/")
    strip = page.locator(".tabs").first
    strip.evaluate(
        """s => { const half = (s.scrollWidth - s.clientWidth) / 2;
        s.scrollLeft = getComputedStyle(s).direction === 'rtl' ? -half : half;
        s.dispatchEvent(new Event('scroll')); }"""
    )  # midway: both arrows show

    for side in ("left", "right"):
        arrow = page.locator(f".tabs-arrow[data-side='{side}']")
        expect(arrow).to_be_visible()
        box, chevron = arrow.bounding_box(), arrow.locator("svg").bounding_box()
        if side == "left":
            gap = chevron["x"] - box["x"]
        else:
            gap = (box["x"] + box["width"]) - (chevron["x"] + chevron["width"])
        assert gap <= 2, f"the {side} chevron is {gap:.0f}px in from the screen's edge"


def test_a_strip_that_fits_does_not_fade(page: Any) -> None:
    user = UserFactory()
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, user.email)
    page.goto("/account/security/")

    strip = page.locator(".tabs").first
    assert strip.evaluate(EDGES) == [False, False]
    assert strip.evaluate("s => getComputedStyle(s).maskImage") == "none"
    expect(page.locator(".tabs-arrow")).to_have_count(2)
    for arrow in page.locator(".tabs-arrow").all():
        expect(arrow).to_be_hidden()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_tab_reached_with_the_keyboard_comes_wholly_into_view(page: Any, language: str) -> None:
    """A walk tabbed onto "Files" at 360 px with 3 of its 54 px showing past the fade,
    its focus ring cut: the strip scrolled only one Tab later."""
    user = UserFactory(language=language)
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, user.email)
    page.goto("/account/security/")
    strip = page.locator(".tabs").first
    tabs = strip.locator("a")

    for index in range(tabs.count()):
        tabs.nth(index).focus()
        assert strip.evaluate(CLEAR, index), f"tab {index} focused but not wholly in view"
