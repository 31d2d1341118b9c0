"""Declining an invitation from the emailed link, on a phone and on a laptop: the link
page offers it below the way in, the dialog asks first, and the page then says it was
declined; the inviter's members page no longer lists it as waiting."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from playwright.sync_api import expect

from tenants.invitations import invitation_create
from tenants.models import Invitation, Role
from tests.accounts.factories import UserFactory
from tests.accounts.mailtools import link_in
from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in
from tests.tenants.factories import OrgFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _olive_invites_grace(mailoutbox: list[Any]) -> tuple[Any, str]:
    """Olive Owner's Compilers Ltd invites grace@example.com; Olive and the emailed link."""
    owner = UserFactory(name="Olive Owner")
    org = OrgFactory(owner=owner, name="Compilers Ltd")
    with transaction.atomic():
        invitation_create(
            tenant=org,
            email="grace@example.com",
            role=Role.objects.get(tenant=org, key="member"),
            acting_user=owner,
        )
    return owner, link_in(mailoutbox[-1])


@pytest.mark.parametrize("width", [360, 1280])
def test_an_invitee_declines_from_the_link(page: Any, mailoutbox: list[Any], width: int) -> None:
    _, link = _olive_invites_grace(mailoutbox)
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)

    assert watch.check(link) == []
    page.get_by_test_id("invite-decline").click()
    dialog = page.get_by_test_id("confirm-dialog")
    assert "Decline the invitation to Compilers Ltd?" in dialog.inner_text()
    page.locator("#confirm-dialog-accept").click()
    page.get_by_test_id("invite-declined").wait_for()

    assert page.get_by_role("heading", level=1).inner_text() == "Invitation declined"
    assert "Ask Olive Owner to invite you again." in page.inner_text("main")
    assert watch.check_here() == []
    assert Invitation.objects.get().status == Invitation.Status.DECLINED
    assert watch.check(link, status=410) == []


@pytest.mark.parametrize("width", [360, 1280])
def test_the_inviter_opening_their_own_link_is_not_told_to_ask_themselves(
    page: Any, mailoutbox: list[Any], width: int
) -> None:
    """An owner checking the link they sent lands on the "signed in as someone else"
    card; its last line said "Or ask Olive Owner to invite …" to Olive Owner."""
    owner, link = _olive_invites_grace(mailoutbox)
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email)

    assert watch.check(link, status=403) == []  # not theirs to accept
    card = page.get_by_test_id("invite-mismatch")
    expect(card).to_contain_text(
        "You sent this invitation: grace@example.com accepts it from the link in their email."
    )
    assert "Or ask" not in card.inner_text()
    assert Invitation.objects.get().status == Invitation.Status.PENDING
