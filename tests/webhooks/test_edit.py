"""Editing an endpoint: an organisation changes its URL, description and events without
losing its secret or its delivery log. A new URL is checked by the rule that checks it
when an endpoint is added, starts the failure streak afresh and leaves an endpoint that
is off turned off; every change is in the audit log, saying what changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from core.models import AuditEvent
from mfa.decorators import reauth_url
from tests.mfa.helpers import age_sign_in
from tests.tenants.factories import OrgFactory, add_member, make_team
from tests.webhooks.conftest import Receiver, Zone
from webhooks.delivery import REFUSED_FOR
from webhooks.exceptions import AddressRefused, UnsafeDestination, WebhookError
from webhooks.models import Delivery, Endpoint
from webhooks.services import endpoint_create, endpoint_enable, endpoint_pause, endpoint_update

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.215.14"  # a public address; no test connects to it
HOST = "hooks.example.com"
OLD_URL = f"https://{HOST}/old"


@pytest.fixture
def endpoint(acme: Any, owner: Any, dns_zone: Zone) -> Endpoint:
    """Saved under the address policy (WEBHOOKS_ALLOW_PRIVATE off): its host is public."""
    dns_zone.answers[HOST] = [[PUBLIC]]
    dns_zone.answers["new.example.com"] = [[PUBLIC]]
    created, _ = endpoint_create(
        tenant=acme,
        url=OLD_URL,
        description="CRM",
        event_types=["member.added", "team.created"],
        acting_user=owner,
    )
    return created


def update(endpoint: Endpoint, **changes: Any) -> Endpoint:
    """`endpoint_update` by its owner, with what `changes` does not name as it is."""
    values = {
        "url": endpoint.url,
        "event_types": endpoint.event_types,
        "description": endpoint.description,
        **changes,
    }
    return endpoint_update(
        tenant=endpoint.tenant,
        endpoint=endpoint,
        acting_user=endpoint.created_by,
        **values,
    )


def as_stored(endpoint: Endpoint) -> tuple[Any, ...]:
    row = Endpoint.objects.get(pk=endpoint.pk)
    return (row.url, row.description, row.event_types, row.secret, row.failing_since)


def edit_url(endpoint: Endpoint) -> str:
    return f"/t/{endpoint.tenant.slug}/settings/webhooks/{endpoint.pk}/edit/"


# --- The service ------------------------------------------------------------------------


def test_the_changes_are_saved_and_the_audit_log_says_what_changed(
    acme: Any, owner: Any, endpoint: Endpoint
) -> None:
    secret = endpoint.secret

    update(
        endpoint,
        url="https://new.example.com/hooks",
        description="  CRM (new)  ",
        event_types=["file.uploaded", "member.added"],
    )

    row = Endpoint.objects.get(pk=endpoint.pk)
    assert row.url == "https://new.example.com/hooks"
    assert row.description == "CRM (new)"
    assert row.event_types == ["member.added", "file.uploaded"]  # in EVENT_TYPES' order
    assert row.secret == secret  # the receiver keeps verifying with the secret it has
    event = AuditEvent.objects.get(tenant=acme, action="webhook.updated")
    assert event.actor == owner
    assert event.target_id == str(endpoint.pk)
    assert event.target_label == "https://new.example.com/hooks"
    assert event.before == {
        "url": OLD_URL,
        "description": "CRM",
        "events_removed": ["team.created"],
    }
    assert event.after == {
        "url": "https://new.example.com/hooks",
        "description": "CRM (new)",
        "events_added": ["file.uploaded"],
    }


def test_the_audit_event_names_only_what_changed_and_nothing_changed_writes_none(
    acme: Any, endpoint: Endpoint
) -> None:
    update(endpoint, event_types=["member.added"])
    update(endpoint)  # saved as it is

    [event] = AuditEvent.objects.filter(tenant=acme, action="webhook.updated")
    assert (event.before, event.after) == ({"events_removed": ["team.created"]}, {})


def test_the_new_url_gets_the_events_signed_with_the_secret_it_had(
    acme: Any,
    owner: Any,
    receiver: Receiver,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receiver listens on 127.0.0.1
    endpoint, secret = endpoint_create(
        tenant=acme,
        url="http://127.0.0.1:9/moved-away",  # nothing listens on the discard port
        description="",
        event_types=["team.created"],
        acting_user=owner,
    )
    receiver.secrets = [secret]

    update(endpoint, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        make_team(acme, "After the move")

    [request] = receiver.received
    assert request.verified_with == [secret]
    assert b"After the move" in request.body
    assert Delivery.objects.get().status == "succeeded"


def test_another_organisations_endpoint_is_refused(
    acme: Any, owner: Any, endpoint: Endpoint
) -> None:
    globex = OrgFactory(owner=owner, name="Globex")
    stored = as_stored(endpoint)

    with pytest.raises(ValueError, match="is not in tenant"):
        endpoint_update(
            tenant=globex,
            endpoint=endpoint,
            acting_user=owner,
            url="https://new.example.com/hooks",
            event_types=["file.uploaded"],
            description="Stolen",
        )

    assert as_stored(endpoint) == stored
    assert not AuditEvent.objects.filter(action="webhook.updated").exists()


@pytest.mark.parametrize(
    ("url", "refusal", "reason"),
    [
        ("https://10.0.0.8/hooks", AddressRefused, "10.0.0.8 is a private or reserved address"),
        ("https://169.254.169.254/latest/", AddressRefused, "private or reserved address"),
        (
            "https://inside.example.com/hooks",
            AddressRefused,
            "leads to a private or reserved address",
        ),
        ("https://localhost/hooks", AddressRefused, "localhost is this server"),
        ("http://new.example.com/hooks", UnsafeDestination, "must start with https://"),
        ("https://nowhere.example.com/hooks", UnsafeDestination, "does not resolve"),
    ],
    ids=["private", "metadata", "name-inside", "localhost", "plain-http", "unresolvable"],
)
def test_a_url_the_address_policy_refuses_leaves_the_endpoint_as_it_was(
    endpoint: Endpoint, dns_zone: Zone, url: str, refusal: type[Exception], reason: str
) -> None:
    dns_zone.answers["inside.example.com"] = [["10.0.0.8"]]
    stored = as_stored(endpoint)

    with pytest.raises(refusal, match=reason):
        update(endpoint, url=url, event_types=["file.uploaded"], description="Changed")

    assert as_stored(endpoint) == stored
    assert endpoint.url == OLD_URL  # the caller's copy too
    assert not AuditEvent.objects.filter(action="webhook.updated").exists()


@pytest.mark.parametrize(
    ("event_types", "said"),
    [
        (["member.added", "no.such_event"], "Unknown event types: no.such_event."),
        ([], "Choose at least one event."),
    ],
    ids=["unknown", "none"],
)
def test_event_types_are_checked_as_when_adding(
    endpoint: Endpoint, event_types: list[str], said: str
) -> None:
    stored = as_stored(endpoint)

    with pytest.raises(WebhookError) as refused:
        update(endpoint, url="https://new.example.com/hooks", event_types=event_types)

    assert str(refused.value) == said
    assert as_stored(endpoint) == stored


def test_an_unchanged_url_is_not_checked_again(endpoint: Endpoint, dns_zone: Zone) -> None:
    """Its host now leads inside (every delivery refuses it): unsubscribing still works."""
    dns_zone.answers[HOST] = [["10.0.0.8"]]

    update(endpoint, event_types=["member.added"])

    assert Endpoint.objects.get(pk=endpoint.pk).event_types == ["member.added"]


def test_a_new_url_starts_the_failure_streak_afresh_but_leaves_an_endpoint_off_turned_off(
    acme: Any, owner: Any, endpoint: Endpoint
) -> None:
    failing_since = timezone.now()
    Endpoint.objects.filter(pk=endpoint.pk).update(
        is_active=False, failing_since=failing_since, disabled_reason=REFUSED_FOR
    )
    endpoint.refresh_from_db()

    update(endpoint, event_types=["member.added"])
    assert Endpoint.objects.get(pk=endpoint.pk).failing_since == failing_since

    update(endpoint, url="https://new.example.com/hooks")
    row = Endpoint.objects.get(pk=endpoint.pk)
    assert row.failing_since is None
    assert not row.is_active and row.disabled_reason == REFUSED_FOR  # "Turn back on" does it
    endpoint_enable(tenant=acme, endpoint=row, acting_user=owner)
    assert Endpoint.objects.get(pk=endpoint.pk).is_active


def test_a_paused_endpoint_stays_paused(acme: Any, owner: Any, endpoint: Endpoint) -> None:
    endpoint_pause(tenant=acme, endpoint=endpoint, acting_user=owner)

    update(endpoint, url="https://new.example.com/hooks")

    assert Endpoint.objects.get(pk=endpoint.pk).is_paused


# --- The page ---------------------------------------------------------------------------


def test_the_form_is_filled_with_the_endpoint_and_its_page_links_to_it(
    client: Client, owner: Any, endpoint: Endpoint
) -> None:
    client.force_login(owner)

    detail = client.get(edit_url(endpoint).removesuffix("edit/")).content.decode()
    response = client.get(edit_url(endpoint))

    assert f'href="{edit_url(endpoint)}"' in detail
    assert response.status_code == 200
    form = response.context["form"]
    assert form["url"].value() == OLD_URL
    assert form["description"].value() == "CRM"
    assert form["event_types"].value() == ["member.added", "team.created"]
    page = response.content.decode()
    assert f'value="{OLD_URL}"' in page
    assert page.count("checked") == 2


def test_saving_goes_back_to_the_endpoint_page_saying_so(
    client: Client, owner: Any, endpoint: Endpoint
) -> None:
    client.force_login(owner)

    response = client.post(
        edit_url(endpoint),
        {
            "url": "https://new.example.com/hooks",
            "description": "Billing",
            "event_types": ["file.deleted"],
        },
    )

    assert response.status_code == 302
    assert response["Location"] == edit_url(endpoint).removesuffix("edit/")
    page = client.get(response["Location"]).content.decode()
    assert "Endpoint saved." in page
    assert "https://new.example.com/hooks" in page and "file.deleted" in page
    row = Endpoint.objects.get(pk=endpoint.pk)
    assert (row.url, row.description, row.event_types) == (
        "https://new.example.com/hooks",
        "Billing",
        ["file.deleted"],
    )


def test_saving_needs_a_recent_authentication_and_keeps_the_form_through_it(
    client: Client, owner: Any, endpoint: Endpoint
) -> None:
    """A new URL sends the organisation's events elsewhere: asked like adding one."""
    client.force_login(owner)
    age_sign_in(owner)
    data = {"url": "https://new.example.com/hooks", "event_types": ["file.deleted"]}

    response = client.post(edit_url(endpoint), data)

    assert response.status_code == 307  # the browser posts the same form to the prompt
    assert response["Location"] == reauth_url(edit_url(endpoint))
    assert Endpoint.objects.get(pk=endpoint.pk).url == OLD_URL
    assert client.get(edit_url(endpoint)).status_code == 200  # looking needs no password


def test_a_refused_url_is_said_beside_it_and_nothing_typed_is_lost(
    client: Client, owner: Any, endpoint: Endpoint
) -> None:
    client.force_login(owner)
    stored = as_stored(endpoint)

    response = client.post(
        edit_url(endpoint),
        {
            "url": "https://169.254.169.254/latest/",
            "description": "Typed description",
            "event_types": ["file.deleted", "team.deleted"],
        },
    )

    assert response.status_code == 400
    form = response.context["form"]
    assert "private or reserved" in form.errors["url"][0] and not form.non_field_errors()
    page = response.content.decode()
    assert 'value="https://169.254.169.254/latest/"' in page
    assert 'aria-invalid="true"' in page
    assert 'value="Typed description"' in page
    assert form["event_types"].value() == ["file.deleted", "team.deleted"]
    assert page.count("checked") == 2
    assert as_stored(endpoint) == stored


def test_missing_and_malformed_fields_are_each_said(
    client: Client, owner: Any, endpoint: Endpoint
) -> None:
    client.force_login(owner)

    empty = client.post(edit_url(endpoint), {"url": "", "description": "Kept"})
    malformed = client.post(
        edit_url(endpoint), {"url": "https://", "event_types": ["not.an_event"]}
    )

    assert empty.status_code == malformed.status_code == 400
    errors = empty.context["form"].errors
    assert errors["url"] == ["Enter the address to send events to."]
    assert errors["event_types"] == ["Choose at least one event."]
    assert 'value="Kept"' in empty.content.decode()
    assert set(malformed.context["form"].errors) == {"url", "event_types"}
    assert Endpoint.objects.get(pk=endpoint.pk).url == OLD_URL


def test_a_new_url_for_an_endpoint_that_is_off_says_it_stays_off(
    client: Client, owner: Any, endpoint: Endpoint
) -> None:
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=False, disabled_reason=REFUSED_FOR)
    client.force_login(owner)

    form = client.get(edit_url(endpoint)).content.decode()
    saved = client.post(
        edit_url(endpoint),
        {"url": "https://new.example.com/hooks", "event_types": ["member.added"]},
        follow=True,
    ).content.decode()

    assert 'data-testid="off-notice"' in form
    assert "Saved. The endpoint is still off: turn it back on to send to the new URL." in saved
    assert not Endpoint.objects.get(pk=endpoint.pk).is_active


def test_members_without_the_permission_get_403(
    client: Client, acme: Any, endpoint: Endpoint
) -> None:
    client.force_login(add_member(acme).user)
    stored = as_stored(endpoint)

    assert client.get(edit_url(endpoint)).status_code == 403
    posted = client.post(
        edit_url(endpoint), {"url": "https://new.example.com/x", "event_types": ["file.deleted"]}
    )

    assert posted.status_code == 403
    assert as_stored(endpoint) == stored


def test_another_organisations_endpoint_is_404_and_a_post_needs_its_csrf_token(
    owner: Any, endpoint: Endpoint
) -> None:
    globex = OrgFactory(owner=owner, name="Globex")
    client, strict = Client(), Client(enforce_csrf_checks=True)
    client.force_login(owner)
    strict.force_login(owner)
    data = {"url": "https://new.example.com/x", "event_types": ["file.deleted"]}
    foreign = f"/t/{globex.slug}/settings/webhooks/{endpoint.pk}/edit/"
    stored = as_stored(endpoint)

    assert client.get(foreign).status_code == 404
    assert client.post(foreign, data).status_code == 404
    assert strict.post(edit_url(endpoint), data).status_code == 403
    assert client.put(edit_url(endpoint)).status_code == 405
    assert as_stored(endpoint) == stored


def test_an_endpoint_deleted_from_two_tabs_is_recorded_once(
    acme: Any, owner: Any, endpoint: Endpoint
) -> None:
    from webhooks.services import endpoint_delete

    second_tab = Endpoint.objects.get(pk=endpoint.pk)
    endpoint_delete(tenant=acme, endpoint=endpoint, acting_user=owner)

    endpoint_delete(tenant=acme, endpoint=second_tab, acting_user=owner)

    deleted = AuditEvent.objects.filter(tenant=acme, action="webhook.deleted")
    assert deleted.count() == 1
