"""In a real browser, at desktop and phone width: an owner moves an endpoint to a new
address and changes its events. An address inside the network is refused beside the
field with everything typed still there; the saved endpoint gets the test event at its
new address, signed with the secret the receiver already has."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in
from tests.tenants.factories import OrgFactory
from tests.webhooks.conftest import Receiver
from webhooks.models import Endpoint
from webhooks.services import endpoint_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_an_owner_moves_an_endpoint_to_a_new_address_and_changes_its_events(
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
    detail = f"/t/{acme.slug}/settings/webhooks/{endpoint.pk}/"
    edit = f"{detail}edit/"
    moved = f"http://127.0.0.1:{receiver.port}/hooks/moved"
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email, then=detail)
    assert watch.check(edit) == []

    page.goto(detail)
    page.get_by_role("link", name="Edit", exact=True).click()
    page.wait_for_url(f"**{edit}")
    expect(page.get_by_label("URL")).to_have_value(receiver.url)
    expect(page.get_by_label("Description")).to_have_value("CRM")
    expect(page.get_by_label("team.created: A team was created")).to_be_checked()

    # The cloud metadata service: refused by the address policy, as when adding.
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    page.get_by_label("URL").fill("https://169.254.169.254/latest/meta-data")
    page.get_by_label("Description").fill("CRM, new home")
    page.get_by_label("team.created: A team was created").uncheck()
    page.get_by_label("file.uploaded: A file was uploaded").check()
    page.get_by_role("button", name="Save").click()

    url_field = page.get_by_label("URL")
    expect(url_field).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("a private or reserved address")).to_be_visible()
    expect(url_field).to_have_value("https://169.254.169.254/latest/meta-data")
    expect(page.get_by_label("Description")).to_have_value("CRM, new home")
    expect(page.get_by_label("file.uploaded: A file was uploaded")).to_be_checked()
    expect(page.get_by_label("team.created: A team was created")).not_to_be_checked()
    assert page.evaluate(FITS)
    assert Endpoint.objects.get().url == receiver.url

    settings.WEBHOOKS_ALLOW_PRIVATE = True
    url_field.fill(moved)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**{detail}")
    expect(page.get_by_text("Endpoint saved.")).to_be_visible()
    expect(page.get_by_role("heading", name=moved)).to_be_visible()
    expect(page.get_by_text("CRM, new home")).to_be_visible()
    assert watch.check(detail) == []

    page.get_by_role("button", name="Send a test event").click()
    page.wait_for_url(f"**{detail}")
    expect(page.get_by_test_id("delivery-log")).to_contain_text("Delivered")
    [request] = receiver.received
    assert request.path == "/hooks/moved"
    assert request.verified_with == [secret]
    assert Endpoint.objects.get().event_types == ["file.uploaded"]


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_all_events_ticks_every_event_and_shows_mixed_when_some_are_ticked(
    page: Any, width: int, receiver: Receiver, settings: Any
) -> None:
    """A walk ticked eleven boxes one by one: there was no "All events"."""
    from webhooks.events import EVENT_TYPES

    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receiver listens on 127.0.0.1
    owner = UserFactory()
    acme = OrgFactory(owner=owner, name="Acme")
    webhooks = f"/t/{acme.slug}/settings/webhooks/"
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email, then=webhooks)
    assert watch.check(webhooks) == []
    every = page.get_by_label("All events")
    one = page.get_by_label("team.created: A team was created")

    every.check()
    boxes = page.locator("input[name=event_types]")
    expect(boxes).to_have_count(len(EVENT_TYPES))
    assert all(box.is_checked() for box in boxes.all())
    one.uncheck()
    assert every.evaluate("box => !box.checked && box.indeterminate")
    one.check()
    expect(every).to_be_checked()
    page.get_by_label("URL").fill(receiver.url)
    page.get_by_role("button", name="Add endpoint").click()

    expect(page.get_by_test_id("new-secret")).to_be_visible()
    assert sorted(Endpoint.objects.get().event_types) == sorted(EVENT_TYPES)
    assert page.evaluate(FITS)
