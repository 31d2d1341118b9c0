"""In a real browser, at desktop and phone width, in English and Arabic (right to left):
the API reference reads without horizontal scrolling (long paths and field names wrap in
their own boxes), axe and the CSP find nothing, and identifiers read left to right."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.config.pagecheck import PageWatch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_the_reference_reads_at_any_width_in_either_direction(
    page: Any, live_server: Any, width: int, language: str
) -> None:
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)

    page.goto("/api/v1/docs/")

    assert watch.check(page.url) == []
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    card = page.locator("#team_members_remove")
    expect(card).to_be_visible()
    for code in (
        card.get_by_text("/api/v1/teams/{team_id}/members/{member_id}/remove"),
        card.get_by_text("teams.manage", exact=True),
    ):
        assert code.evaluate("element => getComputedStyle(element).direction") == "ltr"
        box = code.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    expect(page.get_by_test_id("problem-types")).to_be_visible()
