"""In a real browser, at desktop and phone width: an owner sends a test event to an
endpoint (the real receiver on loopback answers and the log shows it), pauses the
endpoint (a Paused badge on its page and in the list), and resumes it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.config.pagecheck import PageWatch
from tests.core.browser import dialog, sign_in
from tests.tenants.factories import OrgFactory
from tests.webhooks.conftest import Receiver
from webhooks.services import endpoint_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_an_owner_tests_pauses_and_resumes_an_endpoint(
    page: Any, width: int, receiver: Receiver, settings: Any
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receiver listens on 127.0.0.1
    owner = UserFactory()
    acme = OrgFactory(owner=owner, name="Acme")
    endpoint, secret = endpoint_create(
        tenant=acme,
        url=receiver.url,
        description="CRM",
        event_types=["team.created"],
        acting_user=owner,
    )
    receiver.secrets = [secret]
    listed = f"/t/{acme.slug}/settings/webhooks/"
    detail = f"{listed}{endpoint.pk}/"
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email, then=detail)

    page.get_by_role("button", name="Send a test event").click()
    page.wait_for_url(f"**{detail}")
    expect(page.get_by_text("Test event sent: the delivery log shows the answer.")).to_be_visible()
    log = page.get_by_test_id("delivery-log")
    expect(log).to_contain_text("webhook.test")
    expect(log).to_contain_text("Delivered")
    assert [r.verified_with for r in receiver.received] == [[secret]]
    assert watch.check(detail) == []

    page.get_by_role("button", name="Pause").click()
    dialog(page).get_by_role("button", name="Pause").click()
    page.wait_for_url(f"**{detail}")
    expect(page.get_by_test_id("endpoint-state")).to_have_text("Paused")
    expect(page.get_by_test_id("paused-notice")).to_be_visible()
    expect(page.get_by_role("button", name="Send a test event")).to_have_count(0)
    assert watch.check(detail) == []
    assert watch.check(listed) == []
    expect(page.get_by_test_id("endpoints-table")).to_contain_text("Paused")

    page.goto(detail)
    page.get_by_role("button", name="Resume").click()
    page.wait_for_url(f"**{detail}")
    expect(page.get_by_text("Resumed: new events are sent to this endpoint again.")).to_be_visible()
    expect(page.get_by_test_id("endpoint-state")).to_have_count(0)
    expect(page.get_by_role("button", name="Send a test event")).to_be_visible()


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_way_back_to_all_endpoints_keeps_to_one_line_beside_a_long_introduction(
    page: Any, settings: Any, language: str
) -> None:
    """A walk at 1280 px found "All endpoints" broken over two lines: the introduction
    beside it, which names the organisation, took the width."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    owner = UserFactory(language=language)
    acme = OrgFactory(owner=owner, name="Zoë & Friends — Ünïcode Løgistics GmbH Europe")
    endpoint, _ = endpoint_create(
        tenant=acme,
        url="http://127.0.0.1:9/hooks",
        description="CRM",
        event_types=["team.created"],
        acting_user=owner,
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, owner.email, then=f"/t/{acme.slug}/settings/webhooks/{endpoint.pk}/")

    back = page.locator(f'a.btn[href="/t/{acme.slug}/settings/webhooks/"]').first
    box = back.bounding_box()
    assert box is not None
    assert box["height"] < 44, box  # one line of text: a second one makes it ~58 px
