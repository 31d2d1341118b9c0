"""A delivery whose host now resolves inside a private network is refused by our address
policy, not failed by the network: nothing is sent, the attempt says so, the address is
checked again at every retry (a DNS answer can change back), the owners hear of it at
the first refusal, and three days of it turn the endpoint off saying why. The DNS server
on loopback answers public when the endpoint is saved and private afterwards."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from tests.tenants.factories import make_team
from tests.webhooks.conftest import Receiver, Zone
from webhooks.delivery import REFUSED_FOR, RETRY_SCHEDULE, delivery_attempt
from webhooks.exceptions import AddressRefused
from webhooks.models import Attempt, Delivery, Endpoint
from webhooks.services import endpoint_create, endpoint_enable

pytestmark = pytest.mark.django_db(transaction=True)  # deliveries are queued on commit

PUBLIC = "93.184.215.14"  # a public address; no test ever connects to it
HOST = "hooks.example.com"


@pytest.fixture
def endpoint(acme: Any, owner: Any, dns_zone: Zone, receiver: Receiver) -> Endpoint:
    """Public when saved; each later lookup takes the next answer the test sets."""
    dns_zone.answers[HOST] = [[PUBLIC]]
    created, _ = endpoint_create(
        tenant=acme,
        url=f"https://{HOST}:{receiver.port}/hooks/pacetrack",
        description="",
        event_types=["team.created"],
        acting_user=owner,
    )
    return created


def test_a_refused_address_is_said_as_our_policy_not_a_network_error_and_retried(
    acme: Any, endpoint: Endpoint, dns_zone: Zone, receiver: Receiver
) -> None:
    dns_zone.answers[HOST] = [["10.0.0.8"]]

    make_team(acme, "Inside")

    attempt = Attempt.objects.get()
    assert attempt.error_said == (
        "Not sent (address policy): hooks.example.com leads to a private or "
        "reserved address; webhooks only go to public addresses."
    )
    assert attempt.error_reason["policy"] and not attempt.error_reason["network"]
    assert attempt.error_detail == ""  # no library spoke: nothing was sent
    assert receiver.received == []
    delivery = Delivery.objects.get()
    assert delivery.status == "pending"
    assert delivery.next_attempt_at == attempt.sent_at + RETRY_SCHEDULE[0]


def test_every_retry_checks_the_address_again_when_it_connects(
    acme: Any, endpoint: Endpoint, dns_zone: Zone, receiver: Receiver
) -> None:
    """The DNS answer changed between the two attempts: the second names the new one."""
    dns_zone.answers[HOST] = [["10.0.0.8"], ["127.0.0.1"]]
    make_team(acme, "Inside")
    delivery = Delivery.objects.get()

    delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at)

    said = [a.error_reason["params"]["address"] for a in Attempt.objects.order_by("number")]
    assert said == ["10.0.0.8", "127.0.0.1"]
    assert receiver.received == []


def test_owners_are_told_at_the_first_refusal_and_not_again_while_it_lasts(
    acme: Any, owner: Any, endpoint: Endpoint, dns_zone: Zone, mailoutbox: list[Any]
) -> None:
    dns_zone.answers[HOST] = [["10.0.0.8"]]

    make_team(acme, "First")
    make_team(acme, "Second")

    assert Attempt.objects.count() == 2
    [notice] = mailoutbox
    assert notice.to == [owner.email]
    assert notice.subject == f"A webhook endpoint of {acme.name} leads to a private address"
    assert "hooks.example.com leads to a private or reserved address" in notice.body
    assert f"/t/{acme.slug}/settings/webhooks/{endpoint.pk}/" in notice.body


def test_each_refusal_is_a_security_event(
    acme: Any, endpoint: Endpoint, dns_zone: Zone, caplog: pytest.LogCaptureFixture
) -> None:
    dns_zone.answers[HOST] = [["169.254.169.254"]]

    with caplog.at_level(logging.WARNING, logger="pacetrack.security"):
        make_team(acme, "Metadata")

    [record] = [r for r in caplog.records if r.name == "pacetrack.security"]
    assert record.event == "webhook.address_refused"  # type: ignore[attr-defined]
    assert (record.endpoint, record.address) == (endpoint.pk, "169.254.169.254")  # type: ignore[attr-defined]


def test_three_days_of_refusals_turn_the_endpoint_off_saying_why_and_it_stays_off_until_public(
    acme: Any, owner: Any, endpoint: Endpoint, dns_zone: Zone, mailoutbox: list[Any]
) -> None:
    dns_zone.answers[HOST] = [["10.0.0.8"]]
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        make_team(acme, "Inside")
        while (delivery := Delivery.objects.get()).status == "pending":
            clock.move_to(delivery.next_attempt_at)  # each retry refused, until it gives up
            delivery_attempt(delivery_id=delivery.pk)

    endpoint.refresh_from_db()
    assert delivery.status == "failed"
    assert not endpoint.is_active and endpoint.disabled_reason == REFUSED_FOR
    assert len(mailoutbox) == 2  # the first refusal, then turned off
    turned_off = mailoutbox[1]
    assert "a private or reserved address" in turned_off.body
    assert "Fix its DNS record" in turned_off.body
    assert "once the endpoint answers again" not in turned_off.body
    with pytest.raises(AddressRefused):  # the rule that refuses saving such a URL
        endpoint_enable(tenant=acme, endpoint=endpoint, acting_user=owner)
    assert not Endpoint.objects.get().is_active


def test_a_name_that_does_not_resolve_stays_a_refusal_and_tells_no_one(
    acme: Any, endpoint: Endpoint, dns_zone: Zone, mailoutbox: list[Any]
) -> None:
    """Not our address policy: the DNS has no answer now, as it may after a lapse."""
    dns_zone.answers[HOST] = [[]]

    make_team(acme, "Nowhere")

    attempt = Attempt.objects.get()
    assert attempt.error_said == "Refused: hooks.example.com does not resolve to any address."
    assert not attempt.error_reason["policy"]
    assert mailoutbox == []
