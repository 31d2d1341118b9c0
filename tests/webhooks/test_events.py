"""Every documented event is sent by the service that makes the change, with the
documented data (docs/webhooks.md), and nothing is sent when the change rolls back."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from ninja.renderers import JSONRenderer

from billing.subscriptions import account_subscription_apply
from tenants import services
from tenants.invitations import (
    invitation_accept,
    invitation_cancel,
    invitation_create,
    invitation_decline,
)
from tenants.models import Role
from tests.accounts.factories import UserFactory
from tests.accounts.mailtools import link_in
from tests.tenants.factories import add_member, make_team
from tests.webhooks.conftest import Receiver
from uploads.forms import FileUploadForm
from uploads.services import upload_delete
from webhooks.delivery import payload_build
from webhooks.events import EVENT_DATA, EVENT_TYPES
from webhooks.models import Delivery
from webhooks.services import endpoint_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sent(acme: Any, owner: Any, receiver: Receiver, settings: Any) -> list[dict[str, Any]]:
    """Bodies received by an endpoint subscribed to every event, in order."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    _, secret = endpoint_create(
        tenant=acme,
        url=receiver.url,
        description="",
        event_types=list(EVENT_TYPES),
        acting_user=owner,
    )
    receiver.secrets = [secret]

    class Bodies(list):  # read lazily: each access sees what has arrived
        def __iter__(self) -> Any:
            return iter([json.loads(r.body) for r in receiver.received])

        def __len__(self) -> int:
            return len(receiver.received)

    return Bodies()


def types(sent: list[dict[str, Any]]) -> list[str]:
    return [body["type"] for body in sent]


def assert_documented(bodies: list[dict[str, Any]]) -> None:
    """Each body's `data` has exactly the fields the reference page lists for its type."""
    for body in bodies:
        documented = {field.split(" ")[0] for field in EVENT_DATA[body["type"]]}
        assert set(body["data"]) == documented, body["type"]


def test_every_event_type_has_its_data_documented() -> None:
    assert set(EVENT_DATA) == set(EVENT_TYPES)


def test_member_events(acme: Any, owner: Any, sent: list[dict[str, Any]]) -> None:
    membership = add_member(acme, UserFactory(email="ann@example.com", name="Ann"))
    admin = Role.objects.get(tenant=acme, key="admin")
    services.membership_change_role(
        tenant=acme, membership=membership, role=admin, acting_user=owner
    )
    services.membership_remove(tenant=acme, membership=membership, acting_user=owner)
    bodies = list(sent)
    assert_documented(bodies)
    assert types(bodies) == ["member.added", "member.role_changed", "member.removed"]
    assert bodies[0]["data"]["user"]["email"] == "ann@example.com"
    assert bodies[1]["data"]["role"]["name"] == "Admin"
    assert bodies[1]["data"]["previous_role"] == {"name": "Member"}
    assert all(body["version"] == 1 for body in bodies)


def test_invitation_events(
    acme: Any, owner: Any, sent: list[dict[str, Any]], mailoutbox: list[Any]
) -> None:
    role = Role.objects.get(tenant=acme, key="member")
    invitation_create(tenant=acme, email="bo@example.com", role=role, acting_user=owner)
    token = link_in(mailoutbox[-1]).strip("/").split("/")[-1]
    invitation_accept(raw_token=token, user=UserFactory(email="bo@example.com"))
    other = invitation_create(tenant=acme, email="cy@example.com", role=role, acting_user=owner)
    invitation_cancel(tenant=acme, invitation=other, acting_user=owner)
    invitation_create(tenant=acme, email="di@example.com", role=role, acting_user=owner)
    invitation_decline(raw_token=link_in(mailoutbox[-1]).strip("/").split("/")[-1], user=None)
    bodies = list(sent)
    assert_documented(bodies)
    assert types(bodies) == [
        "invitation.created",
        "member.added",
        "invitation.accepted",
        "invitation.created",
        "invitation.cancelled",
        "invitation.created",
        "invitation.declined",
    ]
    assert bodies[-1]["data"]["email"] == "di@example.com"
    assert bodies[2]["data"]["email"] == "bo@example.com" and bodies[2]["data"]["member_id"]


def test_team_and_file_events(acme: Any, owner: Any, sent: list[dict[str, Any]]) -> None:
    team = make_team(acme, "Ops")
    services.team_delete(tenant=acme, team=team, acting_user=owner)
    form = FileUploadForm(
        data={},
        files={"file": SimpleUploadedFile("a.txt", b"hello", "text/plain")},
        tenant=acme,
    )
    assert form.is_valid()
    upload = form.save(uploaded_by=owner)
    assert upload is not None
    file_id = upload.pk
    upload_delete(tenant=acme, upload=upload, acting_user=owner)
    bodies = list(sent)
    assert_documented(bodies)
    assert types(bodies) == ["team.created", "team.deleted", "file.uploaded", "file.deleted"]
    assert bodies[2]["data"] == {
        "file_id": file_id,
        "filename": "a.txt",
        "size": 5,
        "content_type": "text/plain",
    }


def test_subscription_changed(acme: Any, sent: list[dict[str, Any]], settings: Any) -> None:
    settings.STRIPE_PRICE_PRO = "price_pro"
    plans = {
        **settings.BILLING_PLANS,
        "pro": {**settings.BILLING_PLANS["pro"], "price_id": "price_pro"},
    }
    settings.BILLING_PLANS = plans
    subscription = {
        "id": "sub_1",
        "status": "active",
        "customer": "cus_1",
        "items": {"data": [{"price": {"id": "price_pro"}, "quantity": 2}]},
    }
    assert account_subscription_apply(account=acme.account, subscription=subscription, as_of=None)
    [body] = list(sent)
    assert_documented([body])
    assert body["type"] == "subscription.changed"
    assert body["data"]["plan"] == "pro" and body["data"]["previous_plan"] == "free"


def test_nothing_is_sent_when_the_change_rolls_back(acme: Any, sent: list[dict[str, Any]]) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        make_team(acme, "Never")
        raise RuntimeError("the request failed after the change")
    assert len(sent) == 0
    assert not Delivery.objects.exists()


def test_timestamps_are_written_as_the_api_writes_them() -> None:
    """Milliseconds and Z (docs/webhooks.md, /webhooks/reference/, the API's fields), in
    `timestamp` and in `data` alike: not Python's microseconds and +00:00."""
    at = datetime(2026, 12, 6, 22, 0, 0, 355276, tzinfo=UTC)
    ends = datetime(2027, 1, 6, 9, 30, 0, 120000, tzinfo=UTC)

    body = json.loads(payload_build(event_type="team.created", data={"ends_on": ends}, at=at))

    assert body["timestamp"] == "2026-12-06T22:00:00.355Z"
    assert body["data"]["ends_on"] == "2027-01-06T09:30:00.120Z"
    api = json.loads(JSONRenderer().render(None, {"at": at}, response_status=200))
    assert body["timestamp"] == api["at"]


def test_a_sent_events_timestamp_has_milliseconds_and_z(
    acme: Any, sent: list[dict[str, Any]]
) -> None:
    make_team(acme, "Ops")

    [body] = list(sent)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z", body["timestamp"])
