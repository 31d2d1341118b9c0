"""A long name of whoever invited someone (names take 150 characters) stays on one line
of the pending invitations, cut short with its whole self on hover, so the invited
address beside it keeps its width instead of breaking over three lines."""

from __future__ import annotations

from typing import Any

import pytest

from tenants.invitations import invitation_create
from tenants.models import Role
from tests.accounts.factories import UserFactory
from tests.core.browser import sign_in
from tests.tenants.factories import OrgFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_NAME = ("Maximiliane Alexandra Konstanze von und zu Hohenfeld-Wartenberg " * 3)[:150].strip()


def test_a_long_inviter_name_does_not_squeeze_the_address(_browser: Any, live_server: Any) -> None:
    owner = UserFactory(name=LONG_NAME)
    org = OrgFactory(owner=owner, name="Acme")
    member = Role.objects.get(tenant=org, key="member")
    invitation_create(tenant=org, email="fred@example.com", role=member, acting_user=owner)
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 800}
    )
    try:
        page = context.new_page()
        sign_in(page, owner.email, then=f"/t/{org.slug}/members/")
        row = page.get_by_test_id("invites-table").locator("tbody tr").first
        address = row.get_by_text("fred@example.com", exact=True)
        lines = address.evaluate(
            "e => Math.round(e.getBoundingClientRect().height"
            " / parseFloat(getComputedStyle(e).lineHeight))"
        )
        assert lines == 1
        inviter = row.locator("td[data-label='Invited by'] span")
        assert inviter.get_attribute("title") == LONG_NAME
        assert inviter.evaluate("e => e.getBoundingClientRect().height") < 30  # one line
    finally:
        context.close()
