"""In a real browser, at desktop and phone width: the roles page explains each
permission once. Beside the new-role form the guide said everything the form's boxes
say again; at 360 px, one under the other, that was about 4,000 px of page."""

from __future__ import annotations

from typing import Any

import pytest

from core.permissions import permission_groups
from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in
from tests.tenants.factories import add_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESCRIPTIONS = [p.description for _, permissions in permission_groups() for p in permissions]


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_an_owner_reads_each_permission_once_beside_the_form(
    page: Any, owner: Any, acme: Any, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email)

    assert watch.check(f"/t/{acme.slug}/roles/") == []
    text = page.locator("main").inner_text()

    assert page.get_by_role("button", name="Create role").is_visible()
    for description in DESCRIPTIONS:
        assert text.count(description) == 1, description


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_a_member_who_cannot_make_roles_still_reads_what_each_allows(
    page: Any, acme: Any, width: int
) -> None:
    member = add_member(acme).user
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, member.email)

    assert watch.check(f"/t/{acme.slug}/roles/") == []
    text = page.locator("main").inner_text()

    assert page.get_by_role("heading", name="What each permission allows").is_visible()
    for description in DESCRIPTIONS:
        assert text.count(description) == 1, description
