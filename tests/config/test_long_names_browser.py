"""A name of one long word (German makes them: 68 letters, no space to break at) must
not widen any page on a 360 px phone: the organisation's own pages, the settings page
whose delete button names it, and the invitation a newcomer or a signed-in person opens,
whose buttons do."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tenants.invitations import invitation_create
from tenants.models import Role
from tests.accounts.factories import UserFactory
from tests.accounts.mailtools import link_in
from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in
from tests.tenants.factories import OrgFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ONE_WORD = "Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherung"
PHONE = {"width": 360, "height": 780}
PAGES = ("", "members/", "teams/", "roles/", "files/", "billing/", "settings/", "audit/")


def test_a_one_word_name_never_widens_a_page(
    _browser: Any, live_server: Any, owner: Any, mailoutbox: list[Any]
) -> None:
    org = OrgFactory(owner=owner, name=ONE_WORD)
    member = Role.objects.get(tenant=org, key="member")
    invitation_create(tenant=org, email="new@example.com", role=member, acting_user=owner)
    invited = link_in(mailoutbox[-1])  # a path
    known = UserFactory(email="known@example.com")
    invitation_create(tenant=org, email=known.email, role=member, acting_user=owner)
    known_invited = link_in(mailoutbox[-1])
    problems: dict[str, list[str]] = {}
    for who in ("owner", "newcomer", "known"):
        context = _browser.new_context(base_url=live_server.url, viewport=PHONE)
        try:
            page = context.new_page()
            watch = PageWatch.attach(page)
            if who == "owner":
                sign_in(page, owner.email)
                urls = [f"/t/{org.slug}/{path}" for path in PAGES] + ["/account/tenants/"]
            elif who == "known":  # signed in: the invitation's button names it
                sign_in(page, known.email)
                urls = [known_invited]
            else:
                urls = [invited]
            for url in urls:
                if found := watch.check(url):
                    problems[url] = found
            if who == "newcomer":  # the sign-up for the invitation names it on its button
                page.get_by_role("link", name="Create account and join").click()
                page.wait_for_url("**/sign-up/**")
                if found := watch.check(page.url):
                    problems[page.url] = found
                expect(
                    page.get_by_role("button", name=f"Create account and join {ONE_WORD}")
                ).to_be_visible()
            if who == "known":
                expect(
                    page.get_by_role("button", name=f"Accept and join {ONE_WORD}")
                ).to_be_visible()
        finally:
            context.close()
    assert problems == {}
