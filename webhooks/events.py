"""What the other apps call: `event_emit(tenant_id=…, type="member.added", data={…})`.

Called inside the service's transaction, next to the change: one delivery row per
subscribed endpoint that is on and not paused commits (or rolls back) with it, and its
first attempt is queued on commit. Organisations without endpoints pay one indexed
query. An endpoint paused at the event never gets it, not even after it is resumed.

`event_emit_test` queues the test event (TEST_EVENT) for one endpoint, whatever it
subscribes to, through the same path.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.task_queue import task_enqueue_transactional
from webhooks.delivery import payload_build
from webhooks.models import Delivery, Endpoint
from webhooks.tasks import webhook_deliver

# Type -> what it means (the endpoint form and docs/webhooks.md list these).
EVENT_TYPES: dict[str, str | Promise] = {
    "member.added": _("Someone joined the organisation"),
    "member.removed": _("A member was removed or left"),
    "member.role_changed": _("A member's role changed"),
    "invitation.created": _("Someone was invited"),
    "invitation.accepted": _("An invitation was accepted"),
    "invitation.cancelled": _("An invitation was cancelled"),
    "invitation.declined": _("An invitation was declined by the person invited"),
    "team.created": _("A team was created"),
    "team.deleted": _("A team was deleted"),
    "file.uploaded": _("A file was uploaded"),
    "file.deleted": _("A file was deleted"),
    "subscription.changed": _(
        "The plan or subscription status changed, or the subscription was set to end or kept"
    ),
}

# Type -> the fields of its `data`, as the reference page (/webhooks/reference/) and
# docs/webhooks.md show them; tests/webhooks/test_events.py holds each to what is sent.
_MEMBER = ["member_id", "user (id, email, name)", "role (id, name)"]
_INVITATION = ["invitation_id", "email", "role (id, name)"]
_FILE = ["file_id", "filename", "size", "content_type"]
EVENT_DATA: dict[str, list[str]] = {
    "member.added": _MEMBER,
    "member.removed": _MEMBER,
    "member.role_changed": [*_MEMBER, "previous_role (name)"],
    "invitation.created": _INVITATION,
    "invitation.accepted": [*_INVITATION, "member_id"],
    "invitation.cancelled": _INVITATION,
    "invitation.declined": _INVITATION,
    "team.created": ["team_id", "name", "parent_id"],
    "team.deleted": ["team_id", "name"],
    "file.uploaded": _FILE,
    "file.deleted": _FILE,
    "subscription.changed": ["plan", "previous_plan", "status", "cancel_at_period_end"],
}


# The test event ("Send a test event" on an endpoint's page): never subscribed to, sent
# to one endpoint when someone asks, signed and retried like the others.
TEST_EVENT = "webhook.test"
TEST_EVENT_MEANING = _("Someone asked for a test event on the endpoint's page")
TEST_EVENT_DATA = ["endpoint_id", "test"]  # test: always true


def event_emit(*, tenant_id: int, type: str, data: dict[str, Any]) -> list[Delivery]:
    """Queue `type` with `data` for every endpoint of the tenant that wants it."""
    if type not in EVENT_TYPES:
        raise ValueError(f"Unknown webhook event type {type!r}.")
    endpoints = [  # Endpoint.sends, as a query
        e
        for e in Endpoint.objects.filter(
            tenant_id=tenant_id, is_active=True, paused_at__isnull=True
        ).only("pk", "event_types")
        if type in e.event_types
    ]
    if not endpoints:
        return []
    return _queue(tenant_id=tenant_id, endpoints=endpoints, type=type, data=data)


def event_emit_test(*, endpoint: Endpoint) -> Delivery:
    """Queue the test event for `endpoint` (the caller decides whether it may have one)."""
    [delivery] = _queue(
        tenant_id=endpoint.tenant_id,
        endpoints=[endpoint],
        type=TEST_EVENT,
        data={"endpoint_id": endpoint.pk, "test": True},
    )
    return delivery


def _queue(
    *, tenant_id: int, endpoints: list[Endpoint], type: str, data: dict[str, Any]
) -> list[Delivery]:
    now = timezone.now()
    payload = payload_build(event_type=type, data=data, at=now)
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(
                tenant_id=tenant_id,
                endpoint=endpoint,
                message_id="msg_" + secrets.token_urlsafe(18),
                event_type=type,
                payload=payload,
                created_at=now,
                retries_from=now,
            )
            for endpoint in endpoints
        ]
    )
    for delivery in deliveries:
        task_enqueue_transactional(webhook_deliver, delivery.pk)
    return deliveries
