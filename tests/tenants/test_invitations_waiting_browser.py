"""An invited person who ignores the email and signs up on the home page finds the
invitation anyway, on a laptop and on a phone: the first page after sign-up says an
organisation invited them, its button opens the workspaces page, Join puts them in."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from tenants.invitations import invitation_create
from tenants.models import Membership, Role
from tests.accounts.factories import UserFactory
from tests.accounts.mailtools import sign_up_by_email
from tests.config.pagecheck import PageWatch
from tests.tenants.factories import OrgFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [360, 1280])
def test_signing_up_without_the_link_still_leads_to_the_invitation(
    page: Any, mailoutbox: list[Any], width: int
) -> None:
    owner = UserFactory(name="Olive Owner")
    org = OrgFactory(owner=owner, name="Compilers Ltd")
    with transaction.atomic():
        invitation_create(
            tenant=org,
            email="grace@example.com",
            role=Role.objects.get(tenant=org, key="admin"),
            acting_user=owner,
        )
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)

    sign_up_by_email(
        page,
        mailoutbox,
        name="Grace Hopper",
        email="grace@example.com",
        password="a-very-long-password-42",
    )

    notice = page.get_by_role("status").filter(has_text="invited you")
    assert "Compilers Ltd invited you to join as Admin." in notice.inner_text()
    words = notice.locator("p").first.bounding_box()
    button = notice.get_by_role("link", name="See invitations").bounding_box()
    if width == 360:  # below the words, not beside them squeezed into a column
        assert button["y"] >= words["y"] + words["height"]
    else:
        assert button["y"] < words["y"] + words["height"]
    notice.get_by_role("link", name="See invitations").click()
    page.wait_for_url("**/account/tenants/")
    assert watch.check(page.url) == []
    waiting = page.get_by_test_id("waiting-invitations")
    assert "Olive Owner invited you to join as Admin." in waiting.inner_text()
    waiting.get_by_role("button", name="Join Compilers Ltd").click()

    page.wait_for_url(f"**/t/{org.slug}/")
    assert "Welcome to Compilers Ltd! You joined as Admin." in page.content()
    assert Membership.objects.get(tenant=org, user__email="grace@example.com").role.key == "admin"
