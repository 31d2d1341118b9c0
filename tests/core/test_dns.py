"""Which DNS servers a setting names (SSO_DNS_NAMESERVERS, WEBHOOKS_DNS_SERVERS); the
lookups themselves are tested against a DNS server on loopback in tests/sso and
tests/webhooks."""

from __future__ import annotations

from typing import Any

import pytest

from core.checks import check_dns_servers
from core.dns import nameserver, resolver


@pytest.mark.parametrize(
    ("entry", "address", "port"),
    [
        ("192.0.2.53", "192.0.2.53", 53),
        ("127.0.0.1:5353", "127.0.0.1", 5353),
        ("2001:db8::53", "2001:db8::53", 53),
        ("[2001:db8::53]:5353", "2001:db8::53", 5353),
        ("[::1]", "::1", 53),
    ],
)
def test_a_server_is_an_address_with_an_optional_port(entry: str, address: str, port: int) -> None:
    server = nameserver(entry)
    assert (server.address, server.port) == (address, port)


@pytest.mark.parametrize(
    "entry",
    ["dns.example.com", "127.0.0.1:port", "127.0.0.1:70000", "[2001:db8::53", "[::1]53", ""],
)
def test_a_server_that_is_not_an_address_is_refused(entry: str) -> None:
    with pytest.raises(ValueError, match="is not a DNS server"):
        nameserver(entry)


def test_a_setting_naming_an_unusable_server_stops_the_start(settings: Any) -> None:
    settings.SSO_DNS_NAMESERVERS = ["127.0.0.1:5353", "dns.example.com"]
    settings.WEBHOOKS_DNS_SERVERS = ["[::1]:5353"]
    assert [e.id for e in check_dns_servers()] == ["core.E002"]
    assert (
        "SSO_DNS_NAMESERVERS: 'dns.example.com' is not a DNS server" in check_dns_servers()[0].msg
    )
    settings.SSO_DNS_NAMESERVERS = []
    assert check_dns_servers() == []


def test_named_servers_replace_the_systems_and_the_lifetime_bounds_every_lookup() -> None:
    chosen = resolver(servers=["127.0.0.1:5353", "[::1]:5353"], lifetime=2.5)
    assert [(s.address, s.port) for s in chosen.nameservers] == [
        ("127.0.0.1", 5353),
        ("::1", 5353),
    ]
    assert chosen.lifetime == 2.5
