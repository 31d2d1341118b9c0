"""Pause and Resume: an owner stops deliveries to an endpoint without removing it.
Events that happen while it is paused are never sent to it (not even after it is
resumed), deliveries waiting for a retry are not sent, and the automatic turning off
after failures stays a separate thing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from core.models import AuditEvent
from tests.tenants.factories import OrgFactory, add_member, make_team
from tests.webhooks.conftest import Receiver
from webhooks.delivery import RETRY_FOR, delivery_attempt
from webhooks.exceptions import WebhookError
from webhooks.models import Attempt, Delivery, Endpoint
from webhooks.services import endpoint_create, endpoint_pause, endpoint_resume

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _loopback_allowed(settings: Any) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receiver listens on 127.0.0.1


@pytest.fixture
def endpoint(acme: Any, owner: Any, receiver: Receiver) -> Endpoint:
    created, secret = endpoint_create(
        tenant=acme,
        url=receiver.url,
        description="",
        event_types=["team.created"],
        acting_user=owner,
    )
    receiver.secrets = [secret]
    return created


def url(endpoint: Endpoint, action: str = "") -> str:
    return f"/t/{endpoint.tenant.slug}/settings/webhooks/{endpoint.pk}/{action}"


def test_a_paused_endpoint_receives_nothing_until_resumed_and_then_only_new_events(
    client: Client, acme: Any, owner: Any, endpoint: Endpoint, receiver: Receiver
) -> None:
    client.force_login(owner)

    paused = client.post(url(endpoint, "pause/"), follow=True).content.decode()
    make_team(acme, "While paused")

    assert receiver.received == [] and not Delivery.objects.exists()
    assert "Paused: events from now on are not sent to this endpoint." in paused
    assert 'data-testid="endpoint-state">Paused<' in paused and "Resume" in paused

    resumed = client.post(url(endpoint, "resume/"), follow=True).content.decode()
    make_team(acme, "After")

    assert "Resumed: new events are sent to this endpoint again." in resumed
    assert [r.body.count(b"After") for r in receiver.received] == [1]
    assert receiver.received[0].verified_with == receiver.secrets
    actions = AuditEvent.objects.filter(tenant=acme, action__startswith="webhook.")
    assert list(actions.order_by("pk").values_list("action", "actor")) == [
        ("webhook.created", owner.pk),
        ("webhook.paused", owner.pk),
        ("webhook.resumed", owner.pk),
    ]


def test_deliveries_waiting_for_a_retry_are_not_sent_while_paused(
    acme: Any, owner: Any, endpoint: Endpoint, receiver: Receiver
) -> None:
    receiver.statuses = [500]
    make_team(acme, "Flaky")  # the first attempt fails and waits for its retry
    delivery = Delivery.objects.get()
    failing_since = Endpoint.objects.get().failing_since
    endpoint_pause(tenant=acme, endpoint=endpoint, acting_user=owner)

    delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at)

    assert len(receiver.received) == 1
    delivery.refresh_from_db()
    assert delivery.status == "failed"  # Resend it once the endpoint is resumed
    attempt = Attempt.objects.get(delivery=delivery, number=2)
    assert attempt.error_said == "Not sent: the endpoint is paused."
    assert Endpoint.objects.get().failing_since == failing_since  # nothing learnt


def test_a_pause_never_counts_towards_turning_the_endpoint_off(
    acme: Any, owner: Any, endpoint: Endpoint, receiver: Receiver
) -> None:
    receiver.statuses = [500]
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        make_team(acme, "Failing")
        endpoint_pause(tenant=acme, endpoint=endpoint, acting_user=owner)
        clock.shift(RETRY_FOR + timedelta(days=1))
        endpoint_resume(tenant=acme, endpoint=endpoint, acting_user=owner)
        make_team(acme, "Still failing")

    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.failing_since is not None
    assert endpoint.disabled_reason == ""


def test_a_pause_made_while_an_attempt_is_failing_is_not_undone_by_turning_it_off(
    acme: Any, owner: Any, endpoint: Endpoint, receiver: Receiver
) -> None:
    """The race the stop-49 note left: an owner paused while the last attempt of a
    3-day failure streak was on the wire; the worker then turned the endpoint off, and
    it was paused and off at once (Turn back on, then Resume). A paused endpoint is not
    turned off: its streak starts again when it is resumed."""
    Endpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=timezone.now() - RETRY_FOR - timedelta(hours=1)
    )
    receiver.statuses = [500]
    receiver.during = lambda: endpoint_pause(tenant=acme, endpoint=endpoint, acting_user=owner)

    make_team(acme, "Failing while paused")

    assert len(receiver.received) == 1
    endpoint.refresh_from_db()
    assert endpoint.is_paused and endpoint.is_active and endpoint.disabled_reason == ""


def test_a_stale_page_cannot_pause_an_endpoint_just_turned_off(
    acme: Any, owner: Any, endpoint: Endpoint
) -> None:
    """The page read the endpoint while it was on; the worker turned it off since."""
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=False)

    with pytest.raises(WebhookError, match="This endpoint is off"):
        endpoint_pause(tenant=acme, endpoint=endpoint, acting_user=owner)

    assert Endpoint.objects.get().paused_at is None


def test_resend_waits_for_resume_and_a_turned_off_endpoint_cannot_be_paused(
    client: Client, acme: Any, owner: Any, endpoint: Endpoint, receiver: Receiver
) -> None:
    make_team(acme, "Sent")
    delivery = Delivery.objects.get()
    endpoint_pause(tenant=acme, endpoint=endpoint, acting_user=owner)
    client.force_login(owner)

    page = client.post(
        url(endpoint, f"deliveries/{delivery.pk}/resend/"), follow=True
    ).content.decode()

    assert "Resume the endpoint before resending." in page
    assert len(receiver.received) == 1
    endpoint_resume(tenant=acme, endpoint=endpoint, acting_user=owner)
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    off = client.post(url(endpoint, "pause/"), follow=True).content.decode()
    assert "This endpoint is off: turn it back on instead of pausing it." in off
    assert Endpoint.objects.get().paused_at is None


def test_the_list_shows_paused_apart_from_on_and_off(
    client: Client, acme: Any, owner: Any, endpoint: Endpoint
) -> None:
    endpoint_pause(tenant=acme, endpoint=endpoint, acting_user=owner)
    client.force_login(owner)

    table = client.get(url(endpoint)[: -len(f"{endpoint.pk}/")]).content.decode()

    assert ">Paused</span>" in table and ">On</span>" not in table


def test_members_without_the_permission_cannot_pause_or_resume(
    client: Client, acme: Any, owner: Any, endpoint: Endpoint
) -> None:
    client.force_login(add_member(acme).user)
    assert client.post(url(endpoint, "pause/")).status_code == 403
    assert Endpoint.objects.get().paused_at is None

    endpoint_pause(tenant=acme, endpoint=endpoint, acting_user=owner)
    assert client.post(url(endpoint, "resume/")).status_code == 403
    assert Endpoint.objects.get().paused_at is not None


def test_pause_and_resume_are_posts_with_a_csrf_token_inside_their_organisation(
    acme: Any, owner: Any, endpoint: Endpoint
) -> None:
    globex_owner = add_member(acme).user
    globex = OrgFactory(owner=globex_owner, name="Globex")
    theirs, _ = endpoint_create(
        tenant=globex,
        url="http://127.0.0.1:9/x",
        description="",
        event_types=["team.created"],
        acting_user=globex_owner,
    )
    client, strict = Client(), Client(enforce_csrf_checks=True)
    client.force_login(owner)
    strict.force_login(owner)

    assert client.get(url(endpoint, "pause/")).status_code == 405
    assert strict.post(url(endpoint, "pause/")).status_code == 403
    foreign = f"/t/{acme.slug}/settings/webhooks/{theirs.pk}/"
    assert client.post(foreign + "pause/").status_code == 404
    assert client.post(foreign + "resume/").status_code == 404
    assert not Endpoint.objects.filter(paused_at__isnull=False).exists()
