"""In a real browser: the overview's setup checklist is dismissed with and without
JavaScript, and stays dismissed."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.core.browser import sign_in
from tests.tenants.factories import OrgFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dismissing_the_checklist_with_javascript_swaps_in_a_notice(page: Any, owner: Any) -> None:
    acme = OrgFactory(owner=owner, name="Acme")
    sign_in(page, owner.email)
    page.goto(f"/t/{acme.slug}/")
    checklist = page.get_by_test_id("setup-checklist")
    assert "Invite a teammate" in checklist.inner_text()
    page.evaluate("window.notReloaded = true")

    checklist.get_by_role("button", name="Dismiss the setup checklist").click()

    notice = page.get_by_test_id("checklist-dismissed")
    notice.wait_for()
    assert "Setup checklist hidden." in notice.inner_text()
    assert page.evaluate("window.notReloaded") is True, "swapped in place, no reload"
    # htmx moves focus to the notice's `autofocus` once the swap settles, a moment after
    # the notice is in the page: wait for it rather than read the focus at once.
    expect(notice).to_be_focused()
    page.reload()
    assert page.get_by_test_id("setup-checklist").count() == 0
    assert page.get_by_test_id("activity").is_visible()


def test_dismissing_the_checklist_without_javascript(
    _browser: Any, live_server: Any, owner: Any
) -> None:
    acme = OrgFactory(owner=owner, name="Acme")
    context = _browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, owner.email)
        page.goto(f"/t/{acme.slug}/")

        page.get_by_role("button", name="Dismiss the setup checklist").click()

        page.get_by_text("Setup checklist hidden.").wait_for()
        assert page.url.endswith(f"/t/{acme.slug}/")
        assert page.get_by_test_id("setup-checklist").count() == 0
    finally:
        context.close()
