"""In a real browser, at desktop and phone width (and in Arabic): the delivery log says
each attempt's outcome as a short sentence of ours (a refusal by the address policy, a
failed TLS handshake), and the HTTP library's words only under "Technical detail", left
to right, without object reprs or C source positions."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in
from tests.sso.test_copy_values_browser import clipboard_page
from tests.tenants.factories import OrgFactory, make_team
from tests.webhooks.conftest import Receiver, Zone
from webhooks.delivery import delivery_attempt
from webhooks.models import Delivery
from webhooks.services import endpoint_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC = "93.184.215.14"  # a public address; no test ever connects to it


@pytest.mark.parametrize(
    ("width", "language"),
    [(1280, "en"), (360, "en"), (360, "ar")],
    ids=["desktop", "phone", "phone-ar"],
)
def test_the_log_says_the_reason_and_keeps_the_librarys_words_behind_a_disclosure(
    page: Any,
    width: int,
    language: str,
    dns_zone: Zone,
    receiver: Receiver,
    settings: Any,
) -> None:
    owner = UserFactory(language=language)
    acme = OrgFactory(owner=owner, name="Acme")
    # Public when saved, then inside our network (refused), then loopback, let through
    # by the development setting, where the plain-HTTP receiver fails the TLS handshake.
    dns_zone.answers["hooks.example.com"] = [[PUBLIC], ["10.0.0.8"], ["127.0.0.1"]]
    endpoint, _ = endpoint_create(
        tenant=acme,
        url=f"https://hooks.example.com:{receiver.port}/hooks/pacetrack",
        description="",
        event_types=["team.created"],
        acting_user=owner,
    )
    make_team(acme, "Platform")
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    delivery = Delivery.objects.get()
    delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at)
    detail = f"/t/{acme.slug}/settings/webhooks/{endpoint.pk}/"
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email, then=detail)

    handshake, refused = page.get_by_test_id("attempt-reason").all()
    if language == "en":
        expect(handshake).to_have_text(
            f"A secure (HTTPS) connection to hooks.example.com on port {receiver.port} failed."
        )
        expect(refused).to_have_text(
            "Not sent (address policy): hooks.example.com leads to a private or "
            "reserved address; webhooks only go to public addresses."
        )
    [disclosure] = page.get_by_test_id("attempt-detail").all()  # the network spoke once
    words = disclosure.locator("code")
    expect(words).to_be_hidden()
    disclosure.locator("summary").click()
    expect(words).to_be_visible()
    expect(words).to_have_text("SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number")
    assert words.evaluate("code => getComputedStyle(code).direction") == "ltr"
    assert watch.check(detail) == []


@pytest.mark.parametrize(
    ("width", "language"), [(1280, "en"), (360, "ar")], ids=["desktop", "phone-ar"]
)
def test_a_send_past_its_time_says_it_was_due_and_one_never_tried_is_queued(
    page: Any, width: int, language: str, dns_zone: Zone, receiver: Receiver
) -> None:
    """A walk read "Retrying · next 3 minutes ago" (the worker was not running): a time
    past called "next", and a delivery never tried called "Retrying"."""
    from datetime import timedelta

    from django.utils import timezone

    owner = UserFactory(language=language)
    acme = OrgFactory(owner=owner, name="Acme")
    dns_zone.answers["hooks.example.com"] = [[PUBLIC]]
    endpoint, _ = endpoint_create(
        tenant=acme,
        url="https://hooks.example.com/in",
        description="",
        event_types=["team.created"],
        acting_user=owner,
    )
    make_team(acme, "Platform")
    make_team(acme, "Design")
    late, fresh = Delivery.objects.order_by("pk")
    past = timezone.now() - timedelta(minutes=3)
    Delivery.objects.filter(pk=late.pk).update(attempts=1, next_attempt_at=past)
    Delivery.objects.filter(pk=fresh.pk).update(
        attempts=0, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    detail = f"/t/{acme.slug}/settings/webhooks/{endpoint.pk}/"
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email, then=detail)

    [overdue] = page.get_by_test_id("delivery-overdue").all()
    if language == "en":
        expect(overdue).to_have_text("was due 3 minutes ago")
        expect(page.locator("tbody")).to_contain_text("Queued")
        expect(page.locator("tbody")).to_contain_text("next in 5 minutes")
        expect(page.locator("tbody")).not_to_contain_text("next 3 minutes ago")
    else:
        expect(overdue).to_contain_text("كان موعدها")
        expect(page.locator("tbody")).to_contain_text("في قائمة الانتظار")
    assert watch.check(detail) == []


@pytest.mark.parametrize(
    ("width", "language"),
    [(1280, "en"), (360, "en"), (360, "ar")],
    ids=["desktop", "phone", "phone-ar"],
)
def test_a_delivery_opens_from_the_log_with_its_body_headers_and_answer(
    page: Any, width: int, language: str, receiver: Receiver, settings: Any
) -> None:
    """The log showed ~100 characters of an answer and nothing of what was sent: a
    receiver's developer could not see why it said 400."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    receiver.statuses = [422]
    receiver.body = b'{"error": "unknown field data.team.name", "hint": "' + b"h" * 400 + b'"}'
    owner = UserFactory(language=language)
    acme = OrgFactory(owner=owner, name="Acme")
    endpoint, _ = endpoint_create(
        tenant=acme,
        url=receiver.url,
        description="",
        event_types=["team.created"],
        acting_user=owner,
    )
    make_team(acme, "A team with a rather long name for a narrow phone screen")
    delivery = Delivery.objects.get()  # sent once at the commit: the receiver said 422
    detail = f"/t/{acme.slug}/settings/webhooks/{endpoint.pk}/"
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email, then=detail)

    page.get_by_test_id("delivery-link").click()
    page.wait_for_url(f"**{detail}deliveries/{delivery.pk}/")
    expect(page.get_by_test_id("delivery-message-id")).to_have_text(delivery.message_id)
    body = page.get_by_test_id("delivery-body")
    expect(body).to_contain_text(
        '"name": "A team with a rather long name for a narrow phone screen"'
    )
    assert body.evaluate("pre => getComputedStyle(pre).direction") == "ltr"
    [attempt] = page.get_by_test_id("delivery-attempt").all()
    expect(attempt.get_by_test_id("attempt-headers")).to_contain_text(
        f"webhook-id: {delivery.message_id}"
    )
    expect(attempt.get_by_test_id("attempt-response")).to_contain_text("h" * 400)
    if language == "en":
        expect(attempt).to_contain_text("HTTP 422")
    assert watch.check(page.url) == []
    page.get_by_test_id("delivery-back").click()
    page.wait_for_url(f"**{detail}")


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_copy_gives_the_body_as_signed_and_resend_comes_back_to_the_delivery(
    _browser: Any, live_server: Any, width: int, receiver: Receiver, settings: Any
) -> None:
    """Copy gave the indented body, whose signature never matches; Resend on the
    delivery's page went back to the endpoint's log."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    receiver.statuses = [500, 200]
    owner = UserFactory()
    acme = OrgFactory(owner=owner, name="Acme")
    endpoint, _ = endpoint_create(
        tenant=acme,
        url=receiver.url,
        description="",
        event_types=["team.created"],
        acting_user=owner,
    )
    make_team(acme, "Platform")
    delivery = Delivery.objects.get()
    url = f"/t/{acme.slug}/settings/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/"
    with clipboard_page(_browser, live_server, width) as page:
        watch = PageWatch.attach(page)
        sign_in(page, owner.email, then=url)

        page.get_by_role("button", name="Copy the body as sent").click()
        assert page.evaluate("navigator.clipboard.readText()") == delivery.payload
        assert receiver.received[0].body.decode() == delivery.payload  # what was signed
        page.get_by_role("button", name="Resend").click()

        page.get_by_text("Sent again: the answer shows under Attempts.").wait_for()
        assert page.url.endswith(url)
        expect(page.get_by_test_id("delivery-attempt")).to_have_count(2)
        expect(page.get_by_test_id("delivery-status")).to_have_text("Delivered")
        assert watch.check(page.url) == []


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_in_arabic_an_attempts_pieces_read_right_to_left_in_their_order(
    page: Any, width: int, receiver: Receiver, settings: Any
) -> None:
    """A walk read "#1 منذ دقيقة واحدة · · HTTP 200": the left-to-right status pulled the
    dots around it together. Each piece is isolated, so they stand right to left."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    owner = UserFactory(language="ar")
    acme = OrgFactory(owner=owner, name="Acme")
    endpoint, _ = endpoint_create(
        tenant=acme,
        url=receiver.url,
        description="",
        event_types=["team.created"],
        acting_user=owner,
    )
    make_team(acme, "Platform")
    delivery = Delivery.objects.get()
    delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at)
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email, then=f"/t/{acme.slug}/settings/webhooks/{endpoint.pk}/")

    line = page.get_by_test_id("attempt-line").first
    pieces = line.evaluate(
        "li => [...li.children].filter(e => e.tagName === 'BDI')"
        ".map(e => { const r = e.getBoundingClientRect();"
        " return [e.textContent.trim(), Math.round(r.top), r.right]; })"
    )
    assert pieces[0][0] == "#1" and "HTTP 200" in pieces[2][0]
    # Read as Arabic is: line by line, each piece left of the one before (a phone wraps).
    assert sorted(pieces, key=lambda p: (p[1], -p[2])) == pieces, pieces
