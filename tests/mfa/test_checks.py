"""System checks: a relying party ID and origins browsers refuse are found at start-up."""

from __future__ import annotations

from typing import Any

from mfa.checks import check_passkey_relying_party


def ids(settings: Any, **changes: Any) -> list[str]:
    for name, value in changes.items():
        setattr(settings, name, value)
    return [m.id for m in check_passkey_relying_party()]


def test_the_quick_start_and_a_production_site_pass(settings: Any) -> None:
    assert ids(settings, SITE_URL="http://localhost:8000", MFA_WEBAUTHN_RP_ID="") == []
    assert ids(settings, SITE_URL="https://app.example.com", MFA_WEBAUTHN_RP_ID="") == []
    # A parent domain, so passkeys also work on its other sites.
    assert ids(settings, MFA_WEBAUTHN_RP_ID="example.com") == []
    assert (
        ids(
            settings,
            MFA_WEBAUTHN_ORIGINS=["https://app.example.com", "https://eu.example.com"],
        )
        == []
    )


def test_a_url_where_a_host_name_belongs_is_an_error(settings: Any) -> None:
    assert ids(settings, MFA_WEBAUTHN_RP_ID="https://example.com") == ["mfa.E001"]
    assert ids(settings, MFA_WEBAUTHN_RP_ID="example.com:443") == ["mfa.E001"]
    assert ids(settings, MFA_WEBAUTHN_RP_ID="Example.com") == ["mfa.E001"]


def test_an_origin_outside_the_relying_party_is_an_error(settings: Any) -> None:
    settings.SITE_URL = "https://app.example.com"
    assert ids(settings, MFA_WEBAUTHN_RP_ID="example.org") == ["mfa.E002"]
    # A suffix that is not a parent domain: "badexample.com" is not under "example.com".
    assert ids(settings, SITE_URL="https://badexample.com", MFA_WEBAUTHN_RP_ID="example.com") == [
        "mfa.E002"
    ]
    assert ids(
        settings,
        SITE_URL="https://app.example.com",
        MFA_WEBAUTHN_RP_ID="",
        MFA_WEBAUTHN_ORIGINS=["https://app.example.com", "https://other.example.net"],
    ) == ["mfa.E002"]


def test_an_ip_address_or_plain_http_elsewhere_than_localhost_is_a_warning(settings: Any) -> None:
    settings.MFA_WEBAUTHN_RP_ID = ""
    assert ids(settings, SITE_URL="http://127.0.0.1:8000") == ["mfa.W001"]
    assert ids(settings, SITE_URL="http://10.0.0.5:8000") == ["mfa.W001", "mfa.W002"]
    assert ids(settings, SITE_URL="http://app.lan:8000") == ["mfa.W002"]
    assert ids(settings, SITE_URL="http://dev.localhost:8000") == []
