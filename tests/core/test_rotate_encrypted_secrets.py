"""Rotating SECRET_KEY: `rotate_encrypted_secrets` re-encrypts every stored secret under
the new key, so the old one may leave SECRET_KEY_FALLBACKS. An operator followed the
README (remove the fallbacks once sessions have expired) and every webhook signing
secret, SSO client secret and SAML key became unreadable."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import InvalidToken
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError

from mfa import crypto as mfa_crypto
from mfa.models import TOTPDevice
from sso import crypto as sso_crypto
from sso.models import Connection
from webhooks import crypto as webhooks_crypto
from webhooks.models import Endpoint
from webhooks.services import endpoint_create

pytestmark = pytest.mark.django_db

OLD = "o" * 20 + "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d"
NEW = "n" * 20 + "3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a"


@pytest.fixture
def stored(settings: Any, acme: Any, owner: Any) -> dict[str, Any]:
    """A webhook endpoint, an authenticator app and an SSO connection, stored under OLD."""
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD, []
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    endpoint, signing_secret = endpoint_create(
        tenant=acme,
        url="http://127.0.0.1:9/hooks",
        description="CRM",
        event_types=["team.created"],
        acting_user=owner,
    )
    device = TOTPDevice.objects.create(
        user=owner, secret_encrypted=mfa_crypto.secret_encrypt("JBSWY3DPEHPK3PXP")
    )
    connection = Connection.objects.create(
        tenant=acme,
        client_secret_encrypted=sso_crypto.client_secret_encrypt("idp-client-secret"),
        saml_sp_key_encrypted=sso_crypto.client_secret_encrypt("-----BEGIN PRIVATE KEY-----"),
    )
    return {"endpoint": endpoint, "secret": signing_secret, "device": device, "sso": connection}


def _read(stored: dict[str, Any]) -> tuple[str, str, str, str]:
    endpoint = Endpoint.objects.get(pk=stored["endpoint"].pk)
    device = TOTPDevice.objects.get(pk=stored["device"].pk)
    connection = Connection.objects.get(pk=stored["sso"].pk)
    return (
        webhooks_crypto.secret_decrypt(endpoint.secret),
        mfa_crypto.secret_decrypt(device.secret_encrypted),
        sso_crypto.client_secret_decrypt(connection.client_secret_encrypted),
        sso_crypto.client_secret_decrypt(connection.saml_sp_key_encrypted),
    )


def test_after_the_command_the_old_key_may_leave_the_fallbacks(
    settings: Any, stored: dict[str, Any]
) -> None:
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, [OLD]
    out = StringIO()

    call_command("rotate_encrypted_secrets", stdout=out)
    settings.SECRET_KEY_FALLBACKS = []

    assert _read(stored) == (
        stored["secret"],
        "JBSWY3DPEHPK3PXP",
        "idp-client-secret",
        "-----BEGIN PRIVATE KEY-----",
    )
    said = out.getvalue()
    assert "webhook signing secrets: 1 re-encrypted" in said
    assert "authenticator-app secrets: 1 re-encrypted" in said
    assert "single sign-on secrets and keys: 2 re-encrypted" in said
    assert "Done: 4 secret(s)" in said


def test_without_it_dropping_the_old_key_loses_them(settings: Any, stored: dict[str, Any]) -> None:
    """What the operator met: why the command exists."""
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, []

    with pytest.raises(InvalidToken):
        webhooks_crypto.secret_decrypt(Endpoint.objects.get().secret)
    with pytest.raises(ImproperlyConfigured):
        mfa_crypto.secret_decrypt(TOTPDevice.objects.get().secret_encrypted)


def test_a_secret_no_configured_key_opens_stops_the_command_saying_what_to_do(
    settings: Any, stored: dict[str, Any]
) -> None:
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, []

    with pytest.raises(CommandError, match="SECRET_KEY_FALLBACKS"):
        call_command("rotate_encrypted_secrets", stdout=StringIO())
