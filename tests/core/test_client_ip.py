"""The client IP is the socket address unless trusted proxies say otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.client_ip import client_ip, client_ip_once


def ip(rf: Any, remote: str = "10.0.0.2", **headers: str) -> str:
    return client_ip(rf.get("/", REMOTE_ADDR=remote, **headers))


def test_without_trusted_proxies_forwarding_headers_are_ignored(rf: Any) -> None:
    assert (
        ip(
            rf,
            remote="203.0.113.7",
            HTTP_X_FORWARDED_FOR="1.1.1.1",
            HTTP_X_REAL_IP="2.2.2.2",
            HTTP_CF_CONNECTING_IP="3.3.3.3",
        )
        == "203.0.113.7"
    )


def test_a_count_takes_the_address_the_outermost_proxy_saw(rf: Any, settings: Any) -> None:
    settings.TRUSTED_PROXIES = "1"
    # The client prepended a fake; our one proxy appended the real peer.
    assert ip(rf, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1") == "198.51.100.1"
    settings.TRUSTED_PROXIES = "2"
    assert ip(rf, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1, 10.0.0.9") == "198.51.100.1"


def test_a_count_larger_than_the_chain_uses_its_leftmost_entry(rf: Any, settings: Any) -> None:
    settings.TRUSTED_PROXIES = "3"
    assert ip(rf, HTTP_X_FORWARDED_FOR="198.51.100.1") == "198.51.100.1"


def test_cidrs_walk_the_chain_from_the_right_past_trusted_proxies(rf: Any, settings: Any) -> None:
    settings.TRUSTED_PROXIES = "10.0.0.0/8, 192.168.0.0/16"
    chain = "6.6.6.6, 198.51.100.1, 192.168.1.1, 10.1.1.1"
    assert ip(rf, HTTP_X_FORWARDED_FOR=chain) == "198.51.100.1"


def test_cidrs_ignore_headers_from_an_untrusted_peer(rf: Any, settings: Any) -> None:
    settings.TRUSTED_PROXIES = "10.0.0.0/8"
    assert ip(rf, remote="203.0.113.7", HTTP_X_FORWARDED_FOR="1.1.1.1") == "203.0.113.7"


def test_garbage_in_the_chain_never_lets_a_client_choose_its_ip(rf: Any, settings: Any) -> None:
    settings.TRUSTED_PROXIES = "10.0.0.0/8"
    assert ip(rf, HTTP_X_FORWARDED_FOR="1.1.1.1, not-an-ip, 10.0.0.5") == "10.0.0.5"
    settings.TRUSTED_PROXIES = "1"
    assert ip(rf, HTTP_X_FORWARDED_FOR="not-an-ip") == "10.0.0.2"


def test_ports_brackets_and_ipv6_are_understood(rf: Any, settings: Any) -> None:
    settings.TRUSTED_PROXIES = "1"
    assert ip(rf, HTTP_X_FORWARDED_FOR="[2001:db8::1]:4711") == "2001:db8::1"
    assert ip(rf, HTTP_X_FORWARDED_FOR="198.51.100.1:4711") == "198.51.100.1"
    assert ip(rf, HTTP_X_FORWARDED_FOR="::ffff:198.51.100.1") == "198.51.100.1"


@pytest.mark.parametrize(
    ("header", "meta"),
    [("X-Real-IP", "HTTP_X_REAL_IP"), ("CF-Connecting-IP", "HTTP_CF_CONNECTING_IP")],
)
def test_single_address_headers_are_used_only_when_chosen(
    rf: Any, settings: Any, header: str, meta: str
) -> None:
    settings.TRUSTED_PROXIES = "1"
    assert ip(rf, **{meta: "198.51.100.1"}) == "10.0.0.2"  # X-Forwarded-For is the default
    settings.CLIENT_IP_HEADER = header
    assert ip(rf, **{meta: "198.51.100.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6"}) == "198.51.100.1"


def test_missing_or_broken_remote_addr(rf: Any) -> None:
    assert ip(rf, remote="") == "0.0.0.0"
    assert ip(rf, remote="::1") == "::1"


def test_bad_settings_are_explained(rf: Any, settings: Any) -> None:
    settings.TRUSTED_PROXIES = "10.0.0.0/33"
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES entry '10.0.0.0/33'"):
        ip(rf)
    settings.TRUSTED_PROXIES = "1"
    settings.CLIENT_IP_HEADER = "Forwarded"
    with pytest.raises(ImproperlyConfigured, match="CLIENT_IP_HEADER 'Forwarded'"):
        ip(rf, HTTP_X_FORWARDED_FOR="1.1.1.1")


def test_client_ip_once_works_it_out_once_per_request(rf: Any, settings: Any) -> None:
    request = rf.get("/", REMOTE_ADDR="203.0.113.7")
    assert client_ip_once(request) == "203.0.113.7"
    settings.TRUSTED_PROXIES = "1"  # a later change within the request is not seen again
    request.META["HTTP_X_FORWARDED_FOR"] = "198.51.100.1"
    assert client_ip_once(request) == "203.0.113.7"
    assert (
        client_ip_once(rf.get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1"))
        == "198.51.100.1"
    )
