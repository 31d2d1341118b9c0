"""A member who opens a page their role does not allow (a bookmarked billing page, a
link from a colleague) reads which permission it needs and whom to ask, and gets back
to the workspace in one click; the page offered only "Go to the home page"."""

from __future__ import annotations

from typing import Any

import pytest

from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in
from tests.tenants.factories import add_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_a_refused_page_names_the_permission_and_leads_back(
    page: Any, acme: Any, width: int
) -> None:
    member = add_member(acme).user
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, member.email)

    assert watch.check(f"/t/{acme.slug}/billing/", status=403) == []
    main = " ".join((page.locator("main").text_content() or "").split())
    assert "Your role, Member, does not include “Manage billing”." in main
    assert "Ask an owner or admin of Acme if you need it." in main

    page.get_by_role("link", name="Go to Acme").click()
    page.wait_for_url(f"**/t/{acme.slug}/")
    assert page.get_by_role("heading", name="Acme", level=1).is_visible()
