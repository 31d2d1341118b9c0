"""On a phone, a strip of tabs wider than the screen says so: it fades out at each edge
with more tabs past it (a walk read "file & password" as the first tab at 360 px, with
nothing saying the strip scrolls). At desktop width nothing fades."""

from __future__ import annotations

from typing import Any

import pytest

from tests.accounts.factories import UserFactory
from tests.core.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EDGES = "s => [s.hasAttribute('data-more-left'), s.hasAttribute('data-more-right')]"


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


def test_a_strip_that_fits_does_not_fade(page: Any) -> None:
    user = UserFactory()
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, user.email)
    page.goto("/account/security/")

    strip = page.locator(".tabs").first
    assert strip.evaluate(EDGES) == [False, False]
    assert strip.evaluate("s => getComputedStyle(s).maskImage") == "none"


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
        clear = strip.evaluate(
            """(s, i) => { const t = s.querySelectorAll('a')[i].getBoundingClientRect();
            const r = s.getBoundingClientRect();
            return t.left >= r.left - 1 && t.right <= r.right + 1; }""",
            index,
        )
        assert clear, f"tab {index} focused but not wholly in view"
