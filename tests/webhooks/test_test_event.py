"""Send a test event: an owner checks an endpoint works. The test event goes through the
same path as any event (signed, logged, retried) to the real receiver on loopback, to
managers of webhooks only, and at most a few times in a while per endpoint."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from core.models import AuditEvent
from tests.tenants.factories import OrgFactory, add_member
from tests.webhooks.conftest import Receiver
from tests.webhooks.test_delivery import subscribe
from webhooks.events import TEST_EVENT, TEST_EVENT_DATA
from webhooks.models import Delivery, Endpoint
from webhooks.services import endpoint_pause

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _loopback_allowed(settings: Any) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receiver listens on 127.0.0.1


def send_url(endpoint: Endpoint, *, tenant: Any = None) -> str:
    slug = (tenant or endpoint.tenant).slug
    return f"/t/{slug}/settings/webhooks/{endpoint.pk}/test/"


def test_the_test_event_reaches_the_endpoint_signed_and_shows_in_its_log(
    client: Client, acme: Any, owner: Any, receiver: Receiver
) -> None:
    endpoint = subscribe(acme, receiver, owner, ["file.deleted"])  # not subscribed to tests
    client.force_login(owner)

    response = client.post(send_url(endpoint), follow=True)

    [request] = receiver.received
    assert request.verified_with == receiver.secrets
    body = json.loads(request.body)
    assert body["type"] == TEST_EVENT == "webhook.test" and body["version"] == 1
    assert body["data"] == {"endpoint_id": endpoint.pk, "test": True}
    assert set(body["data"]) == {field.split(" ")[0] for field in TEST_EVENT_DATA}
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert delivery.status == "succeeded" and request.headers["webhook-id"] == delivery.message_id
    page = response.content.decode()
    assert "Test event sent: the delivery log shows the answer." in page
    log = page.split('data-testid="delivery-log"', 1)[1]
    assert "webhook.test" in log and ">Test</span>" in log and "Delivered" in log
    event = AuditEvent.objects.get(tenant=acme, action="webhook.test_sent")
    assert event.actor == owner and event.target_label == receiver.url


def test_a_failing_test_event_shows_why_and_is_retried_like_any_delivery(
    client: Client, acme: Any, owner: Any, receiver: Receiver
) -> None:
    receiver.statuses = [503]
    endpoint = subscribe(acme, receiver, owner, ["file.deleted"])
    client.force_login(owner)

    page = client.post(send_url(endpoint), follow=True).content.decode()

    delivery = Delivery.objects.get(endpoint=endpoint)
    assert delivery.status == "pending" and delivery.next_attempt_at is not None
    assert "HTTP 503" in page and "Retrying" in page


def test_paused_and_turned_off_endpoints_get_no_test_event(
    client: Client, acme: Any, owner: Any, receiver: Receiver
) -> None:
    paused = subscribe(acme, receiver, owner, ["file.deleted"])
    endpoint_pause(tenant=acme, endpoint=paused, acting_user=owner)
    off = subscribe(acme, receiver, owner, ["file.deleted"])
    Endpoint.objects.filter(pk=off.pk).update(is_active=False)
    client.force_login(owner)

    on_paused = client.post(send_url(paused), follow=True).content.decode()
    on_off = client.post(send_url(off), follow=True).content.decode()

    assert "Resume the endpoint before sending a test event." in on_paused
    assert "Turn the endpoint back on before sending a test event." in on_off
    assert "Send a test event" not in on_paused and "Send a test event" not in on_off
    assert receiver.received == [] and not Delivery.objects.exists()
    assert not AuditEvent.objects.filter(action="webhook.test_sent").exists()


def test_members_without_the_permission_cannot_send_one(
    client: Client, acme: Any, owner: Any, receiver: Receiver
) -> None:
    endpoint = subscribe(acme, receiver, owner, ["file.deleted"])
    client.force_login(add_member(acme).user)

    assert client.post(send_url(endpoint)).status_code == 403
    assert receiver.received == [] and not Delivery.objects.exists()


def test_it_is_a_post_with_a_csrf_token_and_stays_in_its_organisation(
    acme: Any, owner: Any, receiver: Receiver
) -> None:
    endpoint = subscribe(acme, receiver, owner, ["file.deleted"])
    globex_owner = add_member(acme).user
    globex = OrgFactory(owner=globex_owner, name="Globex")
    theirs = subscribe(globex, receiver, globex_owner, ["file.deleted"])
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)
    client = Client()
    client.force_login(owner)

    assert client.get(send_url(endpoint)).status_code == 405
    assert strict.post(send_url(endpoint)).status_code == 403
    assert client.post(send_url(theirs, tenant=acme)).status_code == 404
    assert receiver.received == []


def test_an_endpoint_gets_a_few_test_events_in_a_while_then_a_429(
    client: Client, acme: Any, owner: Any, receiver: Receiver, settings: Any
) -> None:
    settings.RATELIMIT_TIERS = {**settings.RATELIMIT_TIERS, "webhook-test": {"rate": "2/15m"}}
    endpoint = subscribe(acme, receiver, owner, ["file.deleted"])
    other = subscribe(acme, receiver, owner, ["file.deleted"])
    client.force_login(owner)

    assert [client.post(send_url(endpoint)).status_code for _ in range(3)] == [302, 302, 429]
    assert client.post(send_url(other)).status_code == 302  # each endpoint its own budget
    assert len(receiver.received) == 3
