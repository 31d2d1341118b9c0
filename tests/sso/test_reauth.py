"""People without a password confirm sensitive actions at their provider or their
organisation's IdP: a real round trip that must come back as the same identity."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from sso.models import Connection
from tests.sso.flows import round_trip
from tests.sso.idp import LocalIdP

pytestmark = pytest.mark.django_db

PROTECTED = "/account/security/authenticator/"  # mfa:totp-setup, @reauth_required


def later() -> Any:
    return time_machine.travel(timezone.now() + timedelta(minutes=20), tick=False)


def test_a_social_only_person_confirms_with_the_connected_provider(
    client: Any, social: LocalIdP
) -> None:
    round_trip(client, social, reverse("sso:social-start", args=["google"]))
    with later():
        prompt = client.get(PROTECTED)
        assert prompt.status_code == 302
        assert "Confirm with Google" in client.get(prompt["Location"]).content.decode()

        response = round_trip(
            client, social, reverse("sso:social-reauth", args=["google"]), {"next": PROTECTED}
        )

        assert response.status_code == 302 and response["Location"] == PROTECTED
        assert client.get(PROTECTED).status_code == 200


def test_the_prompt_asks_no_password_of_someone_who_has_none(client: Any, social: LocalIdP) -> None:
    round_trip(client, social, reverse("sso:social-start", args=["google"]))
    with later():
        html = client.get(client.get(PROTECTED)["Location"]).content.decode()

    assert "Confirm it's you the way you sign in to continue." in html
    assert 'name="reauth-password"' not in html and "Enter your password" not in html
    assert "Confirm with Google" in html
    # Typed anyway, a password is no way in for an account that has none.
    with later():
        response = client.post(
            client.get(PROTECTED)["Location"],
            {"reauth-submit": "1", "reauth-factor": "password", "reauth-password": "guess"},
        )
        assert response.status_code == 200
        assert client.get(PROTECTED).status_code == 302


def test_another_account_at_the_provider_does_not_confirm(client: Any, social: LocalIdP) -> None:
    round_trip(client, social, reverse("sso:social-start", args=["google"]))
    social.user = {**social.user, "sub": "someone-else"}
    with later():
        response = round_trip(
            client, social, reverse("sso:social-reauth", args=["google"]), {"next": PROTECTED}
        )

        assert response.status_code == 400
        assert client.get(PROTECTED).status_code == 302  # still asks


def test_a_person_provisioned_by_sso_confirms_with_the_org_idp(
    client: Any, idp: LocalIdP, acme_sso: Connection
) -> None:
    idp.user = {"sub": "okta-3", "email": "sam@example.com", "name": "Sam"}
    round_trip(client, idp, reverse("sso:start"), {"email": "sam@example.com"})
    with later():
        page = client.get(client.get(PROTECTED)["Location"]).content.decode()
        assert "Confirm with Acme SSO" in page

        response = round_trip(
            client, idp, reverse("sso:reauth", args=[acme_sso.pk]), {"next": PROTECTED}
        )

        assert response["Location"] == PROTECTED
        assert client.get(PROTECTED).status_code == 200


def test_the_org_idp_no_longer_confirms_someone_who_moved_off_its_domains(
    client: Any, idp: LocalIdP, acme_sso: Connection
) -> None:
    idp.user = {"sub": "okta-3", "email": "sam@example.com", "name": "Sam"}
    round_trip(client, idp, reverse("sso:start"), {"email": "sam@example.com"})
    User.objects.filter(email="sam@example.com").update(email="sam@personal.example")
    with later():
        response = round_trip(
            client, idp, reverse("sso:reauth", args=[acme_sso.pk]), {"next": PROTECTED}
        )

        assert response.get("Location") != PROTECTED
        assert client.get(PROTECTED).status_code == 302  # still asks
