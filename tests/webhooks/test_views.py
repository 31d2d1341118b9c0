"""The webhook pages: who may open them, the secret shown once, the delivery log."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from tests.mfa.helpers import age_sign_in
from tests.tenants.factories import OrgFactory, add_member, make_team
from webhooks.models import Delivery, Endpoint
from webhooks.services import endpoint_create

pytestmark = pytest.mark.django_db

SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]{32}")


@pytest.fixture(autouse=True)
def _loopback(settings: Any) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True


def test_adding_an_endpoint_needs_reauthentication_and_shows_the_secret_once(
    client: Any, acme: Any, owner: Any
) -> None:
    client.force_login(owner)
    url = f"/t/{acme.slug}/settings/webhooks/"
    data = {"url": "http://127.0.0.1:9/hook", "event_types": ["member.added", "file.deleted"]}
    age_sign_in(owner)
    assert client.post(url + "new/", data).status_code == 307
    assert not Endpoint.objects.exists()
    client.force_login(owner)
    created = client.post(url + "new/", data)
    assert created.status_code == 200
    assert SECRET.search(created.content.decode())
    assert not SECRET.search(client.get(url).content.decode())
    endpoint = Endpoint.objects.get()
    assert endpoint.event_types == ["member.added", "file.deleted"]
    assert not endpoint.secret.startswith("whsec_")  # encrypted at rest


def test_an_unsafe_url_is_refused_on_the_form(
    client: Any, acme: Any, owner: Any, settings: Any
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    client.force_login(owner)
    response = client.post(
        f"/t/{acme.slug}/settings/webhooks/new/",
        {"url": "https://169.254.169.254/latest/", "event_types": ["member.added"]},
    )
    assert response.status_code == 400
    assert "private or reserved" in response.content.decode()
    # Beside the address, where the mistake is, with what was typed kept.
    form = response.context["form"]
    assert "private or reserved" in form.errors["url"][0] and not form.non_field_errors()
    assert 'value="https://169.254.169.254/latest/"' in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_a_plain_http_url_and_no_events_are_both_said_at_once(
    client: Any, acme: Any, owner: Any, settings: Any
) -> None:
    """The walk needed two rounds: "Choose at least one event", then, once one was
    ticked, "must start with https://"."""
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    client.force_login(owner)

    response = client.post(
        f"/t/{acme.slug}/settings/webhooks/new/", {"url": "http://example.com/hook"}
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["event_types"] == ["Choose at least one event."]
    assert errors["url"] == ["Webhook URLs must start with https://."]
    assert not Endpoint.objects.exists()


def test_editing_only_the_events_does_not_recheck_an_unchanged_url(
    client: Any, acme: Any, owner: Any, settings: Any
) -> None:
    """An edit leaves an unchanged URL to the deliveries (its DNS may be broken while
    someone unsubscribes): a form refused for its events says only that."""
    endpoint, _secret = endpoint_create(
        tenant=acme,
        url="http://127.0.0.1:9/hook",
        description="",
        event_types=["member.added"],
        acting_user=owner,
    )
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    client.force_login(owner)

    response = client.post(
        f"/t/{acme.slug}/settings/webhooks/{endpoint.pk}/edit/", {"url": endpoint.url}
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"event_types"}


def test_members_without_the_permission_get_403(client: Any, acme: Any) -> None:
    client.force_login(add_member(acme).user)
    assert client.get(f"/t/{acme.slug}/settings/webhooks/").status_code == 403


def test_another_organisations_endpoint_is_404(client: Any, acme: Any, owner: Any) -> None:
    other_owner = add_member(acme).user
    globex = OrgFactory(owner=other_owner, name="Globex")
    endpoint, _ = endpoint_create(
        tenant=globex,
        url="http://127.0.0.1:9/x",
        description="",
        event_types=["team.created"],
        acting_user=other_owner,
    )
    client.force_login(owner)
    base = f"/t/{acme.slug}/settings/webhooks/{endpoint.pk}/"
    assert client.get(base).status_code == 404
    assert client.post(base + "rotate/").status_code == 404
    assert client.post(base + "delete/").status_code == 404
    assert Endpoint.objects.filter(pk=endpoint.pk).exists()


def test_the_log_shows_attempts_and_resends(
    client: Any, acme: Any, owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint, _ = endpoint_create(
        tenant=acme,
        url="http://127.0.0.1:9/refused",  # nothing listens on the discard port
        description="",
        event_types=["team.created"],
        acting_user=owner,
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_team(acme, "Logged")
    client.force_login(owner)
    page = client.get(f"/t/{acme.slug}/settings/webhooks/{endpoint.pk}/").content.decode()
    assert "team.created" in page and "#1" in page and "no answer" in page
    delivery = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/t/{acme.slug}/settings/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/resend/"
        )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.attempts == 2


def test_an_endpoint_whose_maker_was_removed_is_pointed_out(
    client: Any, acme: Any, owner: Any
) -> None:
    """An admin adds an endpoint on a server of theirs, is removed, and goes on receiving
    every member's address, invitations and file names. The endpoint is the
    organisation's integration (it keeps sending, unlike an API key), so the removal and
    the webhooks page say so, for an owner to decide."""
    admin = add_member(acme, role_key="admin").user
    endpoint_create(
        tenant=acme,
        url="http://127.0.0.1:9/collect",
        description="",
        event_types=["member.added"],
        acting_user=admin,
    )
    endpoint_create(
        tenant=acme,
        url="http://127.0.0.1:9/ours",
        description="",
        event_types=["member.added"],
        acting_user=owner,
    )
    client.force_login(owner)
    membership = acme.memberships.get(user=admin)

    removed = client.post(f"/t/{acme.slug}/members/{membership.pk}/remove/", follow=True)
    page = client.get(f"/t/{acme.slug}/settings/webhooks/").content.decode()

    said = removed.content.decode().replace("&#x27;", "'")
    assert (
        "The webhook endpoint they added still receives this organisation's events: "
        "check on the Webhooks page that it should."
    ) in said
    # A warning, kept until dismissed (a success toast was gone in seconds).
    [message] = [m for m in removed.context["messages"] if "webhook" in m.message]
    assert message.level_tag == "warning"
    gone = re.findall(r'data-testid="endpoint-creator-gone">([^<]+)<', page)
    assert [" ".join(g.split()) for g in gone] == [
        f"Added by {admin.email}, who is no longer an active member. It still receives this "
        "organisation's events: check that it should."
    ]
    assert f"Added by {owner.email}<" in page


def test_an_endpoint_whose_maker_staff_deactivated_is_pointed_out_too(
    acme: Any, owner: Any
) -> None:
    """The page asked only whether the maker was suspended: an admin whose account staff
    deactivated still counted as staying, while their API keys had stopped."""
    from webhooks.selectors import endpoint_list

    admin = add_member(acme, role_key="admin").user
    endpoint_create(
        tenant=acme,
        url="http://127.0.0.1:9/collect",
        description="",
        event_types=["member.added"],
        acting_user=admin,
    )
    assert [e.creator_stays for e in endpoint_list(tenant=acme)] == [1]

    type(admin).objects.filter(pk=admin.pk).update(is_active=False)

    assert [e.creator_stays for e in endpoint_list(tenant=acme)] == [0]


def _one_delivery(tenant: Any, owner: Any, url: str, capture: Any) -> tuple[Endpoint, Delivery]:
    """An endpoint at `url` and the one delivery of a team made then, sent at its commit."""
    endpoint, _ = endpoint_create(
        tenant=tenant, url=url, description="", event_types=["team.created"], acting_user=owner
    )
    with capture(execute=True):
        make_team(tenant, "Logged")
    return endpoint, Delivery.objects.get(endpoint=endpoint)


def _page_of(delivery: Delivery) -> str:
    return (
        f"/t/{delivery.tenant.slug}/settings/webhooks/{delivery.endpoint_id}/deliveries/"
        f"{delivery.pk}/"
    )


def test_a_delivery_page_shows_the_body_the_headers_and_each_answer_in_full(
    client: Any, acme: Any, owner: Any, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The log shows a line of each answer; an endpoint's developer needs what was sent
    and the whole answer we kept to find why their receiver said 400."""
    receiver.statuses = [400, 200]
    receiver.body = b'{"error": "missing field \'team\'", "trace": "' + b"x" * 300 + b'"}'
    endpoint, delivery = _one_delivery(
        acme, owner, receiver.url, django_capture_on_commit_callbacks
    )
    client.force_login(owner)
    base = f"/t/{acme.slug}/settings/webhooks/{endpoint.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{base}deliveries/{delivery.pk}/resend/")

    log = client.get(base).content.decode()
    page_url = f"{base}deliveries/{delivery.pk}/"
    assert f'href="{page_url}"' in log
    page = html.unescape(client.get(page_url).content.decode())

    assert '"name": "Logged"' in page  # the body, indented
    assert f"webhook-id: {delivery.message_id}" in page
    assert "User-Agent: Pacetrack-Webhooks/1" in page
    assert page.count('data-testid="delivery-attempt"') == 2
    assert "HTTP 400" in page and "HTTP 200" in page
    assert "x" * 300 in page  # the whole answer kept, not the log's 120 characters
    assert "missing field 'team'" in page
    assert "Only the first" not in page  # under WEBHOOKS_RESPONSE_EXCERPT


def test_a_long_answer_says_only_its_start_is_kept(
    client: Any, acme: Any, owner: Any, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    receiver.body = b"y" * 5000
    endpoint, delivery = _one_delivery(
        acme, owner, receiver.url, django_capture_on_commit_callbacks
    )
    client.force_login(owner)
    page = client.get(_page_of(delivery)).content.decode()
    assert "y" * 2048 in page and "y" * 2049 not in page
    assert "Only the first 2.0\xa0KB of the answer is read and kept." in page


@pytest.mark.parametrize(
    "body", [b"z" * 2048, "é".encode("latin-1") * 800], ids=["exactly-the-excerpt", "latin-1"]
)
def test_an_answer_that_fits_is_not_said_to_be_cut(
    client: Any,
    acme: Any,
    owner: Any,
    receiver: Any,
    django_capture_on_commit_callbacks: Any,
    body: bytes,
) -> None:
    """Measured after decoding, 800 bytes of Latin-1 (each one U+FFFD, three bytes) and
    an answer of exactly 2 KB were both "only the first 2 KB"."""
    receiver.body = body
    endpoint, delivery = _one_delivery(
        acme, owner, receiver.url, django_capture_on_commit_callbacks
    )
    client.force_login(owner)
    page = client.get(_page_of(delivery)).content.decode()
    assert 'data-testid="attempt-response"' in page and "Only the first" not in page


def test_a_delivery_not_sent_yet_or_held_by_a_pause_says_so_without_resend(
    client: Any, acme: Any, owner: Any, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from webhooks.delivery import delivery_attempt
    from webhooks.services import endpoint_pause

    endpoint, _ = endpoint_create(
        tenant=acme,
        url=receiver.url,
        description="",
        event_types=["team.created"],
        acting_user=owner,
    )
    make_team(acme, "Queued")  # no commit callbacks run: queued, never tried
    delivery = Delivery.objects.get()
    client.force_login(owner)
    url = f"/t/{acme.slug}/settings/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/"

    queued = client.get(url).content.decode()
    endpoint_pause(tenant=acme, endpoint=endpoint, acting_user=owner)
    delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at)
    held = client.get(url).content.decode()

    assert "Not sent yet." in queued and "Queued" in queued and ">Resend<" in queued
    assert "Not sent: the endpoint is paused." in held
    assert "Headers sent" not in held and ">Resend<" not in held
    assert receiver.received == []


def test_a_refused_send_shows_no_headers_as_sent(
    client: Any, acme: Any, owner: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint, _ = endpoint_create(
        tenant=acme,
        url="http://127.0.0.1:9/in",
        description="",
        event_types=["team.created"],
        acting_user=owner,
    )
    settings.WEBHOOKS_ALLOW_PRIVATE = False  # plain HTTP to loopback is refused
    with django_capture_on_commit_callbacks(execute=True):
        make_team(acme, "Logged")
    delivery = Delivery.objects.get()
    client.force_login(owner)
    page = client.get(_page_of(delivery)).content.decode()
    assert "Refused: Webhook URLs must start with https://." in page
    assert "Headers sent" not in page and "Response body" not in page


def test_another_organisations_delivery_is_404_and_a_member_without_the_permission_403(
    client: Any, acme: Any, owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    other_owner = add_member(acme).user
    globex = OrgFactory(owner=other_owner, name="Globex")
    theirs, _ = endpoint_create(
        tenant=globex,
        url="http://127.0.0.1:9/x",
        description="",
        event_types=["team.created"],
        acting_user=other_owner,
    )
    ours, _ = endpoint_create(
        tenant=acme,
        url="http://127.0.0.1:9/y",
        description="",
        event_types=["team.created"],
        acting_user=owner,
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_team(globex, "Secret plans")
    their_delivery = Delivery.objects.get(endpoint=theirs)
    client.force_login(owner)
    # Their delivery under our endpoint, and under theirs through our slug: both unknown.
    for endpoint in (ours, theirs):
        url = f"/t/{acme.slug}/settings/webhooks/{endpoint.pk}/deliveries/{their_delivery.pk}/"
        response = client.get(url)
        assert response.status_code == 404 and b"Secret plans" not in response.content
    client.force_login(other_owner)  # a plain member of acme
    url = f"/t/{acme.slug}/settings/webhooks/{ours.pk}/deliveries/{their_delivery.pk}/"
    assert client.get(url).status_code == 403


def test_resending_is_limited_per_endpoint(
    client: Any,
    acme: Any,
    owner: Any,
    receiver: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Resend had no limit: forty signed POSTs at someone else's server in three
    seconds, past the test events' limit."""
    settings.RATELIMIT_TIERS = {**settings.RATELIMIT_TIERS, "webhook-resend": {"rate": "2/15m"}}
    endpoint, delivery = _one_delivery(
        acme, owner, receiver.url, django_capture_on_commit_callbacks
    )
    client.force_login(owner)
    resend = f"/t/{acme.slug}/settings/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/resend/"

    statuses = []
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            statuses.append(client.post(resend).status_code)

    assert statuses == [302, 302, 429]
    assert len(receiver.received) == 3  # the event, then two resends


def test_a_connection_that_never_came_up_shows_no_headers_as_sent(
    client: Any, acme: Any, owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A refused connection was shown under "Headers sent": nothing left."""
    endpoint, _ = endpoint_create(
        tenant=acme,
        url="http://127.0.0.1:9/refused",  # nothing listens on the discard port
        description="",
        event_types=["team.created"],
        acting_user=owner,
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_team(acme, "Logged")
    delivery = Delivery.objects.get()
    client.force_login(owner)
    page = client.get(_page_of(delivery)).content.decode()
    assert "127.0.0.1 refused the connection on port 9." in page
    assert "Headers sent" not in page
