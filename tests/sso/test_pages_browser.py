"""The SSO pages with something on them (the crawl sees them empty): no overflow at
1280 or 360 px, no console or CSP error, no serious axe violation."""

from __future__ import annotations

from typing import Any

import pytest

from sso.models import Connection, JoinRequest, SocialIdentity
from sso.services_domains import domain_add
from tests.accounts.factories import UserFactory
from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in
from tests.sso.idp import LocalIdP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360])
def test_the_sso_pages_meet_the_quality_bar(
    _browser: Any,
    live_server: Any,
    acme: Any,
    owner: Any,
    acme_sso: Connection,
    social: LocalIdP,
    width: int,
) -> None:
    domain_add(tenant=acme, domain="a-rather-long-subsidiary-name.example.co.uk", acting_user=owner)
    SocialIdentity.objects.create(
        user=owner, provider="google", subject="g-1", email="olivia.personal@gmail.example"
    )
    JoinRequest.objects.create(
        tenant=acme,
        user=UserFactory(email="bartholomew.fitzgerald-montgomery@example.com"),
    )
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    context.set_default_timeout(10_000)
    problems: dict[str, list[str]] = {}
    try:
        page = context.new_page()
        watch = PageWatch.attach(page)
        for url in ("/auth/sign-in/", "/auth/sign-up/", "/auth/sso/"):
            if found := watch.check(url):
                problems[url] = found
        sign_in(page, owner.email)
        for url in (
            "/account/security/",
            f"/t/{acme.slug}/settings/",
            f"/t/{acme.slug}/settings/domains/",
            f"/t/{acme.slug}/settings/sso/",
        ):
            if found := watch.check(url):
                problems[url] = found
    finally:
        context.close()

    assert problems == {}
