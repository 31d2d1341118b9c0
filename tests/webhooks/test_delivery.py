"""Deliveries to a real receiver on loopback, which verifies every signature with the
`standardwebhooks` library; retries run under a controlled clock (time-machine)."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from core.models import AuditEvent
from tenants.models import Membership
from tests.tenants.factories import add_member, make_team
from tests.webhooks.conftest import Receiver
from webhooks.delivery import RETRY_FOR, deliveries_due, delivery_attempt
from webhooks.events import payload_build
from webhooks.models import Attempt, Delivery, Endpoint
from webhooks.services import (
    delivery_resend,
    endpoint_create,
    endpoint_enable,
    endpoint_secret_rotate,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _loopback_allowed(settings: Any) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receiver listens on 127.0.0.1


def subscribe(tenant: Any, receiver: Receiver, owner: Any, events: list[str]) -> Endpoint:
    endpoint, secret = endpoint_create(
        tenant=tenant, url=receiver.url, description="CRM", event_types=events, acting_user=owner
    )
    receiver.secrets = [secret]
    return endpoint


def run_due() -> None:
    """What `manage.py webhooks_deliver_due` does."""
    for delivery_id in deliveries_due():
        delivery_attempt(delivery_id=delivery_id)


def test_an_event_reaches_the_endpoint_signed(acme: Any, owner: Any, receiver: Receiver) -> None:
    endpoint = subscribe(acme, receiver, owner, ["team.created"])
    team = make_team(acme, "Platform")

    [request] = receiver.received
    assert request.verified_with == receiver.secrets
    assert request.path == "/hooks/pacetrack"
    body = json.loads(request.body)
    assert body["type"] == "team.created" and body["version"] == 1
    assert body["data"] == {"team_id": team.pk, "name": "Platform", "parent_id": None}
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert delivery.status == "succeeded" and request.headers["webhook-id"] == delivery.message_id
    attempt = Attempt.objects.get(delivery=delivery)
    assert (attempt.number, attempt.response_status, attempt.response_body) == (1, 200, "thanks")
    assert attempt.tenant_id == delivery.tenant_id == acme.pk  # copied for Citus co-location


def test_only_subscribed_events_and_active_endpoints_receive(
    acme: Any, owner: Any, receiver: Receiver
) -> None:
    endpoint = subscribe(acme, receiver, owner, ["file.uploaded"])
    make_team(acme, "Not wanted")
    Endpoint.objects.filter(pk=endpoint.pk).update(event_types=["team.created"], is_active=False)
    make_team(acme, "Endpoint off")
    assert receiver.received == []


def test_failures_are_retried_with_backoff_until_the_endpoint_answers(
    acme: Any, owner: Any, receiver: Receiver
) -> None:
    receiver.statuses = [500, 500, 500, 200]
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        subscribe(acme, receiver, owner, ["team.created"])
        make_team(acme, "Flaky")
        delivery = Delivery.objects.get()
        waits = []
        while True:
            delivery.refresh_from_db()
            if delivery.status != "pending":
                break
            due_at = delivery.next_attempt_at
            waits.append(due_at - timezone.now())
            clock.move_to(due_at - timedelta(seconds=1))
            run_due()
            assert len(receiver.received) == len(waits)  # not due yet: nothing sent
            clock.move_to(due_at)
            run_due()

    # From each attempt's end: a few milliseconds of the receiver's answer on top.
    assert [round(wait.total_seconds()) for wait in waits] == [5, 5 * 60, 30 * 60]
    assert delivery.status == "succeeded" and delivery.attempts == 4
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    assert all(r.verified_with for r in receiver.received)
    statuses = list(
        delivery.attempt_log.order_by("number").values_list("response_status", flat=True)
    )
    assert statuses == [500, 500, 500, 200]
    assert Endpoint.objects.get().failing_since is None


def test_a_slow_failure_is_retried_only_after_it_ended(
    acme: Any, owner: Any, receiver: Receiver, settings: Any
) -> None:
    """A receiver that takes longer than the first wait must not get the retry while
    it is still working on the first attempt (two deliveries of one event at once)."""
    settings.WEBHOOKS_READ_TIMEOUT = 3.0
    receiver.statuses = [500]
    receiver.during = lambda: time.sleep(1.5)
    with time_machine.travel(timezone.now(), tick=False):
        subscribe(acme, receiver, owner, ["team.created"])
        make_team(acme, "Slow")

    delivery = Delivery.objects.get()
    attempt = Attempt.objects.get(delivery=delivery)
    assert attempt.duration_ms >= 1500
    assert delivery.next_attempt_at >= attempt.sent_at + timedelta(seconds=5 + 1.5)


def test_a_delivery_on_the_wire_stays_claimed_for_longer_than_its_attempt_can_take(
    acme: Any, owner: Any, receiver: Receiver, settings: Any
) -> None:
    """Its claim ran out after 2 minutes whatever the attempt could take: the
    `webhooks_resume` job then queued it again and a second worker sent it too."""
    settings.WEBHOOKS_TOTAL_TIMEOUT = 5 * 60
    claimed_until: list[Any] = []

    def look() -> None:  # on the receiver's thread, while the request is on the wire
        claimed_until.append(Delivery.objects.values_list("next_attempt_at", flat=True).get())
        connection.close()

    receiver.during = look
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        subscribe(acme, receiver, owner, ["team.created"])
        make_team(acme, "Slow")

    longest = 2 * settings.WEBHOOKS_DNS_TIMEOUT + settings.WEBHOOKS_TOTAL_TIMEOUT
    assert claimed_until[0] > start + timedelta(seconds=longest)


def test_an_endpoint_failing_for_three_days_is_disabled_and_owners_are_told(
    acme: Any, owner: Any, receiver: Receiver, mailoutbox: list[Any]
) -> None:
    receiver.statuses = [503]
    suspended = add_member(acme, role_key="owner")  # suspended by the directory: not told
    Membership.objects.filter(pk=suspended.pk).update(suspended_at=timezone.now())
    deactivated = add_member(acme, role_key="owner")  # nor one staff deactivated (was told)
    type(owner).objects.filter(pk=deactivated.user_id).update(is_active=False)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        endpoint = subscribe(acme, receiver, owner, ["team.created"])
        make_team(acme, "Doomed")
        while (retry := Delivery.objects.get().next_attempt_at) < start + timedelta(days=2):
            clock.move_to(retry)  # in order: a clock going back reads as days without attempts
            run_due()
        clock.move_to(start + timedelta(days=2))
        make_team(acme, "Also doomed")  # a second event keeps the streak going
        for _ in range(40):
            if not deliveries_due(now=start + RETRY_FOR + timedelta(days=1)):
                break
            due = Delivery.objects.filter(status="pending").order_by("next_attempt_at").first()
            assert due is not None
            clock.move_to(due.next_attempt_at)
            run_due()

    endpoint.refresh_from_db()
    assert not endpoint.is_active and "3 days" in endpoint.disabled_reason
    assert set(Delivery.objects.values_list("status", flat=True)) == {"failed"}
    [notice] = [m for m in mailoutbox if "webhook" in m.subject.lower()]
    assert notice.to == [owner.email] and receiver.url in notice.body


def run_until_settled(clock: Any) -> None:
    """Each pending delivery's attempts at their times, until none is pending."""
    while due := Delivery.objects.filter(status="pending").order_by("next_attempt_at").first():
        clock.move_to(due.next_attempt_at)
        run_due()


def test_a_backlog_giving_up_at_once_does_not_turn_the_endpoint_off(
    acme: Any, owner: Any, receiver: Receiver
) -> None:
    """Workers down for over 3 days: each queued delivery's first attempt comes after its
    window, so it gives up on its first failure. Two such failures a moment apart (a
    receiver's blip as the backlog drains) turned the endpoint off and told the owners
    it had failed for 3 days."""
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        endpoint = subscribe(acme, receiver, owner, ["team.created"])
        for n in range(2):
            Delivery.objects.create(
                tenant=acme,
                endpoint=endpoint,
                message_id=f"msg_backlog{n}",
                event_type="team.created",
                payload=payload_build(event_type="team.created", data={}, at=start),
                created_at=start,
                retries_from=start,
            )
        clock.move_to(start + RETRY_FOR + timedelta(hours=1))
        receiver.statuses = [503, 503, 200]
        run_due()

    endpoint.refresh_from_db()
    assert endpoint.is_active and not endpoint.disabled_reason
    assert Attempt.objects.filter(response_status=503).count() == 2


def test_an_endpoint_is_turned_off_when_a_delivery_failing_all_along_gives_up(
    acme: Any, owner: Any, receiver: Receiver, mailoutbox: list[Any]
) -> None:
    """Its last retry comes before 3 days have passed, and the check ran only at an
    attempt: an endpoint failing every attempt of every delivery stayed on."""
    receiver.statuses = [503]
    with time_machine.travel(timezone.now(), tick=False) as clock:
        endpoint = subscribe(acme, receiver, owner, ["team.created"])
        make_team(acme, "Never arrives")
        run_until_settled(clock)

    endpoint.refresh_from_db()
    assert Delivery.objects.get().status == "failed"
    assert not endpoint.is_active and "3 days" in endpoint.disabled_reason
    [notice] = [m for m in mailoutbox if "webhook" in m.subject.lower()]
    assert notice.to == [owner.email]


def test_a_failure_streak_with_no_attempt_for_longer_than_the_longest_wait_is_over(
    acme: Any, owner: Any, receiver: Receiver
) -> None:
    """A streak left behind by a delivery that gave up (another had got through
    meanwhile, so not all of its window failed) was still running a month later,
    and a single failure then turned the endpoint off at once."""
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        endpoint = subscribe(acme, receiver, owner, ["team.created"])
        receiver.statuses = [500]
        make_team(acme, "Refused all along")
        clock.move_to(start + timedelta(days=1))
        receiver.statuses = [200]
        make_team(acme, "Got through")  # the streak starts again at the next failure
        receiver.statuses = [500]
        run_until_settled(clock)
        endpoint.refresh_from_db()
        assert endpoint.is_active and endpoint.failing_since is not None

        clock.move_to(start + timedelta(days=30))
        receiver.statuses = [500, 200]
        make_team(acme, "A month later")  # fails once, then is delivered
        endpoint.refresh_from_db()
        assert endpoint.is_active and endpoint.failing_since == timezone.now()
        run_until_settled(clock)

    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.failing_since is None
    assert Delivery.objects.order_by("pk").last().status == "succeeded"


def test_during_a_rotation_both_secrets_sign(acme: Any, owner: Any, receiver: Receiver) -> None:
    endpoint = subscribe(acme, receiver, owner, ["team.created"])
    old = receiver.secrets[0]
    new = endpoint_secret_rotate(tenant=acme, endpoint=endpoint, acting_user=owner)
    receiver.secrets = [old, new]
    make_team(acme, "During")
    assert receiver.received[-1].verified_with == [old, new]
    assert len(receiver.received[-1].headers["webhook-signature"].split(" ")) == 2
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        make_team(acme, "After")
    assert receiver.received[-1].verified_with == [new]


def test_two_rotations_at_once_keep_both_new_secrets_signing(
    acme: Any, owner: Any, receiver: Receiver
) -> None:
    """Two pages each read the endpoint, then rotated: both kept the original secret as
    the previous one, so the secret the first page showed never signed anything."""
    subscribe(acme, receiver, owner, ["team.created"])
    first_page, second_page = Endpoint.objects.get(), Endpoint.objects.get()
    first = endpoint_secret_rotate(tenant=acme, endpoint=first_page, acting_user=owner)
    second = endpoint_secret_rotate(tenant=acme, endpoint=second_page, acting_user=owner)
    receiver.secrets = [first, second]
    make_team(acme, "After both")
    assert receiver.received[-1].verified_with == [first, second]


def test_a_delivery_can_be_resent(acme: Any, owner: Any, receiver: Receiver) -> None:
    receiver.statuses = [500, 200]
    subscribe(acme, receiver, owner, ["team.created"])
    make_team(acme, "Again")
    delivery = Delivery.objects.get()
    assert delivery.status == "pending"
    delivery_resend(tenant=acme, delivery=delivery, acting_user=owner)
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempts == 2
    # The organisation's data went out once more, by someone's hand: in its log, as a
    # test event is (the review found resends unaudited).
    event = AuditEvent.objects.get(action="webhook.delivery_resent")
    assert event.actor_id == owner.pk and event.tenant_id == acme.pk
    assert event.target_label == receiver.url
    assert event.after == {"message_id": delivery.message_id}


def test_a_resend_opens_a_new_window_and_keeps_the_events_time(
    acme: Any, owner: Any, receiver: Receiver
) -> None:
    """Resent days later, a delivery is retried for another RETRY_FOR; the log still
    says when the event happened (a Resend used to overwrite it)."""
    receiver.statuses = [500]
    subscribe(acme, receiver, owner, ["team.created"])
    make_team(acme, "Late")
    delivery = Delivery.objects.get()
    happened = delivery.created_at
    with time_machine.travel(happened + RETRY_FOR + timedelta(days=1)):
        delivery_resend(tenant=acme, delivery=delivery, acting_user=owner)
        delivery.refresh_from_db()
        assert delivery.status == "pending" and delivery.next_attempt_at is not None
        assert delivery.retries_from > happened + RETRY_FOR
    assert delivery.created_at == happened


def test_a_resent_delivery_is_retried_from_the_schedules_first_step(
    acme: Any, owner: Any, receiver: Receiver
) -> None:
    """Its backoff went on from where its window had ended: one more error after a
    Resend and its next try waited 10 hours, not 5 seconds."""
    receiver.statuses = [500]
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        endpoint = subscribe(acme, receiver, owner, ["team.created"])
        make_team(acme, "Down for days")
        delivery = Delivery.objects.get()
        while delivery.status == "pending":
            clock.move_to(delivery.next_attempt_at)
            run_due()
            delivery.refresh_from_db()
        assert delivery.status == "failed"
        tried = delivery.attempts

        clock.move_to(start + RETRY_FOR + timedelta(days=1))  # the receiver is fixed, …
        endpoint.refresh_from_db()
        assert not endpoint.is_active
        endpoint_enable(tenant=acme, endpoint=endpoint, acting_user=owner)
        delivery_resend(tenant=acme, delivery=delivery, acting_user=owner)  # … but not quite
        delivery.refresh_from_db()
        waits = [delivery.next_attempt_at - timezone.now()]
        clock.move_to(delivery.next_attempt_at)
        run_due()
        delivery.refresh_from_db()
        waits.append(delivery.next_attempt_at - timezone.now())

    assert [round(wait.total_seconds()) for wait in waits] == [5, 5 * 60]
    assert delivery.attempts == tried + 2  # every attempt still counted and numbered
    numbers = list(delivery.attempt_log.order_by("number").values_list("number", flat=True))
    assert numbers == list(range(1, tried + 3))


def test_a_resend_while_an_attempt_is_on_the_wire_is_refused_saying_why(
    acme: Any, owner: Any, receiver: Receiver, client: Any
) -> None:
    """Resend cleared the claim of the attempt still on the wire, and its own task sent
    the delivery a second time at once."""
    subscribe(acme, receiver, owner, ["team.created"])
    client.force_login(owner)
    pages: list[str] = []

    def resend_meanwhile() -> None:  # on the receiver's thread, the first request open
        if pages:
            return
        delivery = Delivery.objects.get()
        pages.append("")
        page = client.post(
            f"/t/{acme.slug}/settings/webhooks/{delivery.endpoint_id}/deliveries/"
            f"{delivery.pk}/resend/",
            follow=True,
        )
        pages[0] = page.content.decode()
        connection.close()

    receiver.during = resend_meanwhile
    make_team(acme, "Platform")

    assert len(receiver.received) == 1
    assert "This delivery is being sent right now." in pages[0]
    delivery = Delivery.objects.get()
    assert delivery.status == "succeeded" and delivery.claimed_until is None
    assert not AuditEvent.objects.filter(action="webhook.delivery_resent").exists()


def test_redirects_are_not_followed_and_answers_are_cut_short(
    acme: Any, owner: Any, receiver: Receiver, settings: Any
) -> None:
    receiver.statuses = [302]
    receiver.extra_headers = {"Location": "http://127.0.0.1:9/elsewhere"}
    receiver.body = b"x" * 100_000
    subscribe(acme, receiver, owner, ["team.created"])
    make_team(acme, "Moved")
    attempt = Attempt.objects.get()
    assert attempt.response_status == 302
    assert len(attempt.response_body) == settings.WEBHOOKS_RESPONSE_EXCERPT
    assert Delivery.objects.get().status == "pending"  # a redirect is a failure, retried
    assert len(receiver.received) == 1


def test_the_schedule_queues_again_a_delivery_whose_task_was_lost(
    acme: Any, owner: Any, receiver: Receiver
) -> None:
    """An operator killed the worker mid-send: the delivery stayed pending, its task
    gone, and only `webhooks_deliver_due` by hand ever sent it (emails had their
    `email_resume` job; webhooks had none)."""
    from webhooks.jobs import deliveries_resume_stale

    receiver.statuses = [500, 200]
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        subscribe(acme, receiver, owner, ["team.created"])
        make_team(acme, "Platform")  # attempt 1 fails; the retry is due in 5 s
        delivery = Delivery.objects.get()
        assert delivery.status == "pending" and len(receiver.received) == 1

        clock.move_to(start + timedelta(minutes=2))  # due, its task may just be late
        assert deliveries_resume_stale() == "Queued 0 webhook delivery(ies) again."

        clock.move_to(start + timedelta(minutes=6))  # due for over 5 minutes: lost
        assert deliveries_resume_stale() == "Queued 1 webhook delivery(ies) again."

    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and len(receiver.received) == 2


def test_a_delivery_lost_before_its_first_attempt_is_due_too(
    acme: Any, owner: Any, receiver: Receiver
) -> None:
    """A delivery with no time yet is due from its event's moment, as the attempt's
    own claim counts it; the command and the job used to skip it for good."""
    receiver.statuses = [500]
    subscribe(acme, receiver, owner, ["team.created"])
    make_team(acme, "Platform")
    Delivery.objects.update(
        next_attempt_at=None, attempts=0, created_at=timezone.now() - timedelta(minutes=10)
    )

    assert deliveries_due() == [Delivery.objects.get().pk]
    assert deliveries_due(stale_after=timedelta(minutes=5)) == [Delivery.objects.get().pk]
    assert deliveries_due(stale_after=timedelta(minutes=15)) == []
