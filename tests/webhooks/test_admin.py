"""Webhooks in the admin: endpoints and deliveries are shown to staff, never written.

Each attack is made over HTTP by a superuser, who holds every model permission.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.tenants.factories import OrgFactory
from webhooks.events import event_emit_test
from webhooks.models import Delivery, Endpoint
from webhooks.services import endpoint_create

pytestmark = pytest.mark.django_db

METADATA = "http://169.254.169.254/latest/meta-data/"  # refused by endpoint_create
MOMENT = {"_0": "2026-01-01", "_1": "00:00:00"}


@pytest.fixture
def endpoint(settings: Any, acme: Any, owner: Any) -> Endpoint:
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # nothing is sent: the event stays queued
    created, _ = endpoint_create(
        tenant=acme,
        url="http://127.0.0.1:9/hooks",
        description="CRM",
        event_types=["team.created"],
        acting_user=owner,
    )
    return created


def _moment(field: str) -> dict[str, str]:
    return {f"{field}{part}": value for part, value in MOMENT.items()}


def _delivery_form(endpoint: Endpoint, tenant: Any, payload: str) -> dict[str, Any]:
    """Every field of a delivery, as a plain ModelAdmin's add page posts it."""
    return {
        "tenant": tenant.pk,
        "endpoint": endpoint.pk,
        "message_id": "msg_forged",
        "event_type": "member.removed",
        "payload": payload,
        "status": "pending",
        "attempts": "0",
        "next_attempt_at_0": "",
        "next_attempt_at_1": "",
        **_moment("created_at"),
        **_moment("retries_from"),
    }


def _endpoint_form(endpoint: Endpoint, **changes: Any) -> dict[str, Any]:
    """Every field of an endpoint, as a plain ModelAdmin's pages post it."""
    return {
        "tenant": endpoint.tenant_id,
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": '["team.created"]',
        "is_active": "on",
        "disabled_reason": "",
        "created_by": endpoint.created_by_id,
        **{
            f"{f}_{p}": ""
            for f in ("previous_secret_expires_at", "paused_at", "failing_since")
            for p in (0, 1)
        },
        **changes,
    }


def test_staff_cannot_forge_or_edit_deliveries(
    staff_client: Client, acme: Any, endpoint: Endpoint
) -> None:
    queued = event_emit_test(endpoint=endpoint)
    payload = queued.payload
    forged = '{"type": "member.removed", "data": {"user_id": 1}}'

    added = staff_client.post(
        "/admin/webhooks/delivery/add/", _delivery_form(endpoint, acme, forged)
    )
    elsewhere = staff_client.post(
        "/admin/webhooks/delivery/add/",
        _delivery_form(endpoint, OrgFactory(name="Globex"), forged),
    )
    changed = staff_client.post(
        f"/admin/webhooks/delivery/{queued.pk}/change/",
        {**_delivery_form(endpoint, acme, forged), "message_id": queued.message_id},
    )
    deleted = staff_client.post(f"/admin/webhooks/delivery/{queued.pk}/delete/", {"post": "yes"})

    assert [r.status_code for r in (added, elsewhere, changed, deleted)] == [403] * 4
    assert list(Delivery.objects.values_list("pk", "payload")) == [(queued.pk, payload)]


def test_staff_cannot_add_repoint_or_delete_endpoints(
    staff_client: Client, acme: Any, endpoint: Endpoint
) -> None:
    added = staff_client.post(
        "/admin/webhooks/endpoint/add/", _endpoint_form(endpoint, url=METADATA)
    )
    changed = staff_client.post(
        f"/admin/webhooks/endpoint/{endpoint.pk}/change/", _endpoint_form(endpoint, url=METADATA)
    )
    deleted = staff_client.post(f"/admin/webhooks/endpoint/{endpoint.pk}/delete/", {"post": "yes"})

    assert [r.status_code for r in (added, changed, deleted)] == [403] * 3
    assert list(Endpoint.objects.values_list("pk", "url")) == [(endpoint.pk, endpoint.url)]
    assert Endpoint.objects.get().secret == endpoint.secret  # the service's, kept


def test_endpoints_and_deliveries_are_listed_searched_filtered_and_shown(
    staff_client: Client, endpoint: Endpoint
) -> None:
    delivery = event_emit_test(endpoint=endpoint)

    pages = {
        "endpoints": staff_client.get("/admin/webhooks/endpoint/", {"q": "127.0.0.1"}),
        "active": staff_client.get("/admin/webhooks/endpoint/", {"is_active__exact": "1"}),
        "endpoint": staff_client.get(f"/admin/webhooks/endpoint/{endpoint.pk}/change/"),
        "deliveries": staff_client.get("/admin/webhooks/delivery/", {"status__exact": "pending"}),
        "delivery": staff_client.get(f"/admin/webhooks/delivery/{delivery.pk}/change/"),
    }

    assert {name: r.status_code for name, r in pages.items()} == dict.fromkeys(pages, 200)
    assert f"/admin/webhooks/endpoint/{endpoint.pk}/change/" in pages["endpoints"].content.decode()
    assert f"/admin/webhooks/delivery/{delivery.pk}/change/" in pages["deliveries"].content.decode()
    assert 'name="url"' not in pages["endpoint"].content.decode()  # shown, not editable
    assert 'name="payload"' not in pages["delivery"].content.decode()
