"""Webhook URLs cannot reach inside our network: refused when saved and at every
delivery, for literal addresses, for names that resolve to them (through a real DNS
server on loopback), and for a name whose answer changes between check and delivery."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from tests.tenants.factories import make_team
from tests.webhooks.conftest import Receiver, Zone
from webhooks.delivery import delivery_attempt
from webhooks.exceptions import UnsafeDestination
from webhooks.models import Attempt, Delivery, Endpoint
from webhooks.services import endpoint_create
from webhooks.transport import target_check

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.215.14"  # a public address; no test ever connects to it


def add(tenant: Any, owner: Any, url: str) -> Endpoint:
    endpoint, _ = endpoint_create(
        tenant=tenant, url=url, description="", event_types=["team.created"], acting_user=owner
    )
    return endpoint


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://127.1/hook",
        "https://10.0.0.8/hook",
        "https://172.16.5.4/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
        "https://240.0.0.1/hook",
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
        "https://[fc00::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[ff02::1]/hook",
        # 6to4 around loopback and a private address (Python calls 2002::/16 global).
        "https://[2002:7f00:1::]/hook",
        "https://[2002:a00:8::1]/hook",
        "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook",  # Teredo
        "https://[64:ff9b::7f00:1]/hook",  # NAT64 around loopback
        # Python calls these global: deprecated site-local, the documentation prefix.
        "https://[fec0::1]/hook",
        "https://[3fff::1]/hook",
    ],
)
def test_literal_private_and_reserved_addresses_are_refused(
    acme: Any, owner: Any, url: str
) -> None:
    with pytest.raises(UnsafeDestination):
        add(acme, owner, url)
    assert not Endpoint.objects.exists()


def test_a_6to4_address_around_a_public_one_is_accepted(acme: Any, owner: Any) -> None:
    add(acme, owner, "https://[2002:5db8:d70e::1]/hook")  # 93.184.215.14 inside
    assert Endpoint.objects.count() == 1


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("https://127.0.0.1/x", "127.0.0.1 is a private or reserved address;"),
        ("https://10.0.0.8:8443/x", "10.0.0.8 is a private or reserved address;"),
        ("https://localhost/x", "localhost is this server;"),
        ("https://api.LOCALHOST/x", "api.localhost is this server;"),
    ],
)
def test_the_refusal_names_the_address_once(acme: Any, owner: Any, url: str, said: str) -> None:
    """It read "127.0.0.1 leads to 127.0.0.1", and "localhost does not resolve to any
    address" (the DNS knows no localhost: this machine is what it names)."""
    with pytest.raises(UnsafeDestination) as refused:
        add(acme, owner, url)
    assert said in str(refused.value)


@pytest.mark.parametrize(
    "url", ["http://hooks.example.com/x", "https://user:pw@hooks.example.com/x", "ftp://a.b/"]
)
def test_plain_http_and_credentials_in_urls_are_refused(
    acme: Any, owner: Any, url: str, dns_zone: Zone
) -> None:
    dns_zone.answers["hooks.example.com"] = [[PUBLIC]]
    with pytest.raises(UnsafeDestination):
        add(acme, owner, url)


@pytest.mark.parametrize(
    "answers", [["10.1.2.3"], ["127.0.0.1"], ["169.254.169.254"], [PUBLIC, "192.168.0.7"], ["::1"]]
)
def test_names_resolving_to_private_addresses_are_refused(
    acme: Any, owner: Any, dns_zone: Zone, answers: list[str]
) -> None:
    dns_zone.answers["internal.example.com"] = [answers]
    with pytest.raises(UnsafeDestination, match="private or reserved"):
        add(acme, owner, "https://internal.example.com/hook")
    assert ("internal.example.com", "A") in dns_zone.queries


def test_a_name_that_does_not_resolve_is_refused(acme: Any, owner: Any, dns_zone: Zone) -> None:
    with pytest.raises(UnsafeDestination, match="does not resolve"):
        add(acme, owner, "https://nowhere.example.com/hook")


def test_a_public_name_is_accepted(acme: Any, owner: Any, dns_zone: Zone) -> None:
    dns_zone.answers["hooks.example.com"] = [[PUBLIC]]
    assert add(acme, owner, "https://hooks.example.com/hook").url.startswith("https://")


@pytest.mark.django_db(transaction=True)  # the delivery is queued on commit
def test_a_name_rebound_to_a_private_address_after_saving_is_refused_at_delivery(
    acme: Any, owner: Any, dns_zone: Zone, receiver: Receiver
) -> None:
    """Checked public when saved, the name now points at our own loopback (where a
    receiver listens): the delivery is refused, nothing reaches the receiver."""
    dns_zone.answers["rebind.example.com"] = [[PUBLIC], ["127.0.0.1"]]
    add(acme, owner, f"https://rebind.example.com:{receiver.port}/hooks/pacetrack")
    make_team(acme, "Target")
    attempt = Attempt.objects.get()
    assert attempt.response_status is None and "private or reserved" in attempt.error
    assert receiver.received == []
    assert Delivery.objects.get().status == "pending"  # retried later, checked again


@pytest.mark.django_db(transaction=True)
def test_a_refused_or_unsent_attempt_is_said_in_the_readers_language(
    acme: Any, owner: Any, owner_client: Any, dns_zone: Zone, receiver: Receiver
) -> None:
    """The worker keeps its refusal untranslated with its values: the endpoint page says
    it in German to a German owner, the stored error stays English for logs and admin."""
    dns_zone.answers["rebind.example.com"] = [[PUBLIC], ["127.0.0.1"]]
    endpoint = add(acme, owner, f"https://rebind.example.com:{receiver.port}/hooks/pacetrack")
    with translation.override("de"):  # whoever's request runs the attempt
        make_team(acme, "Target")
    refused = Attempt.objects.get()
    assert refused.error == (
        "Not sent (address policy): rebind.example.com leads to a private or "
        "reserved address; webhooks only go to public addresses."
    )
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    delivery_attempt(delivery_id=refused.delivery_id, now=timezone.now() + timedelta(hours=1))
    unsent = Attempt.objects.exclude(pk=refused.pk).get()
    assert unsent.error == "Not sent: the endpoint is disabled."

    type(owner).objects.filter(pk=owner.pk).update(language="de")
    html = owner_client.get(f"/t/{acme.slug}/settings/webhooks/{endpoint.pk}/").content.decode()
    assert (
        "Nicht gesendet (Adressrichtlinie): rebind.example.com führt zu einer "
        "privaten oder reservierten Adresse; Webhooks werden nur an öffentliche Adressen "
        "gesendet."
    ) in html
    assert "Nicht gesendet: Der Endpunkt ist deaktiviert." in html
    assert "Not sent" not in html


@pytest.mark.django_db(transaction=True)
def test_the_connection_goes_to_the_address_that_was_checked(
    acme: Any, owner: Any, dns_zone: Zone, receiver: Receiver, settings: Any
) -> None:
    """One lookup per delivery, and the request goes to its answer: a resolver asked a
    second time (as `requests` or `urllib` would, to connect) would now get an address
    where nothing listens, and the delivery would fail."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receiver is on loopback
    dns_zone.answers["hooks.example.com"] = [["127.0.0.1"], ["127.0.0.1"], ["10.255.255.1"]]
    endpoint, secret = endpoint_create(
        tenant=acme,
        url=f"http://hooks.example.com:{receiver.port}/hooks/pacetrack",
        description="",
        event_types=["team.created"],
        acting_user=owner,
    )
    receiver.secrets = [secret]
    make_team(acme, "Checked")
    [request] = receiver.received
    assert request.headers["host"] == f"hooks.example.com:{receiver.port}"
    assert request.verified_with == [secret]
    assert [q for q in dns_zone.queries if q == ("hooks.example.com", "A")] == [
        ("hooks.example.com", "A")
    ] * 2
    assert Delivery.objects.get(endpoint=endpoint).status == "succeeded"


def test_the_development_setting_lets_loopback_through(settings: Any) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    assert target_check("http://127.0.0.1:8000/hook").address == "127.0.0.1"
    with pytest.raises(UnsafeDestination):
        target_check("http://224.0.0.1/hook")  # multicast never


def test_the_endpoint_form_never_says_where_an_internal_name_leads(
    client: Any, acme: Any, owner: Any, dns_zone: Zone, caplog: Any
) -> None:
    """ "db.corp.internal leads to 10.1.2.3": whoever may add an endpoint mapped our
    internal DNS through the form. The security log says who tried which name."""
    dns_zone.answers["db.corp.internal"] = [["10.1.2.3"]]
    client.force_login(owner)

    with caplog.at_level("INFO", logger="pacetrack.security"):
        page = client.post(
            f"/t/{acme.slug}/settings/webhooks/new/",
            {"url": "https://db.corp.internal/", "event_types": ["team.created"]},
        ).content.decode()

    assert "db.corp.internal leads to a private or reserved address" in page
    assert "10.1.2.3" not in page
    assert not Endpoint.objects.exists()
    logged = [r for r in caplog.records if getattr(r, "event", "") == "webhook.address_refused"]
    assert [(r.tenant, r.user_id, r.host, r.address) for r in logged] == [  # type: ignore[attr-defined]
        (acme.pk, owner.pk, "db.corp.internal", "10.1.2.3")
    ]


def test_a_failing_dns_server_is_said_without_naming_our_resolver(
    client: Any, acme: Any, owner: Any, dns_zone: Zone, settings: Any
) -> None:
    """dnspython's words named the resolver ("Server Do53:10.0.0.2@53 answered
    SERVFAIL"): a domain that fails on purpose read our DNS server's address."""
    dns_zone.failing.add("broken.example.com")
    client.force_login(owner)

    page = client.post(
        f"/t/{acme.slug}/settings/webhooks/new/",
        {"url": "https://broken.example.com/", "event_types": ["team.created"]},
    ).content.decode()

    assert "broken.example.com could not be resolved: its DNS servers failed to answer." in page
    resolver = settings.WEBHOOKS_DNS_SERVERS[0]
    assert resolver not in page and "SERVFAIL" not in page


@pytest.mark.parametrize(
    ("kept", "said"),
    [
        (
            {
                "text": "%(host)s leads to %(address)s, a private or reserved address; "
                "webhooks only go to public addresses.",
                "params": {"host": "db.corp.internal", "address": "10.1.2.3"},
                "refused": True,
                "policy": True,
            },
            "Not sent (address policy): db.corp.internal leads to a private or reserved "
            "address; webhooks only go to public addresses.",
        ),
        (
            {
                "text": "%(host)s could not be resolved (%(error)s).",
                "params": {"host": "x.example.com", "error": "Server Do53:10.0.0.2@53 answered"},
                "refused": True,
            },
            "Refused: x.example.com could not be resolved: its DNS servers failed to answer.",
        ),
    ],
    ids=["address", "resolver"],
)
def test_attempts_kept_in_the_old_words_show_without_the_internal_address(
    kept: dict[str, Any], said: str
) -> None:
    from webhooks.models import kept_error_said

    assert kept_error_said(kept) == said
