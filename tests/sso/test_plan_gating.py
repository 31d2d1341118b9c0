"""Single sign-on is a paid feature (the gating table in settings). On a plan without it
the SSO page shows what it does and an upgrade button instead of the forms, and saving
or testing a connection is refused whoever asks. A connection saved on a paid plan
keeps signing people in after a downgrade: nobody is locked out of their workspace."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from billing.exceptions import PlanLimitReached
from sso.models import Connection
from sso.services_connections import connection_save
from sso.services_saml import saml_connection_save
from tenants.models import Membership, Role
from tests.billing.factories import subscribe
from tests.sso.flows import round_trip, signed_in_user_id
from tests.sso.idp import LocalIdP
from tests.sso.saml_idp import LocalSamlIdP

pytestmark = pytest.mark.django_db

REFUSAL = "The Free plan does not include single sign-on."


def page(tenant: Any, name: str = "connection") -> str:
    return reverse(f"sso_settings:{name}", kwargs={"tenant_slug": tenant.slug})


@pytest.fixture
def downgraded_sso(billing_on: Any, acme: Any, request: pytest.FixtureRequest) -> Connection:
    """Acme connected its IdP on Business, then moved to Free."""
    subscribe(acme, "business")
    connection: Connection = request.getfixturevalue("acme_sso")
    subscribe(acme, "free")
    return connection


def test_the_sso_page_shows_what_sso_does_and_an_upgrade_button_instead_of_the_forms(
    billing_on: Any, owner_client: Any, acme: Any
) -> None:
    response = owner_client.get(page(acme))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="upgrade-sso"' in html
    assert "Members sign in through your identity provider" in html
    assert f'href="/t/{acme.slug}/billing/"' in html and ">Upgrade<" in html
    assert "Save connection" not in html and "Save SAML connection" not in html


@pytest.mark.xmlsec1
def test_saving_either_connection_on_a_plan_without_sso_is_refused_with_403(
    billing_on: Any, owner_client: Any, acme: Any, idp: LocalIdP, settings: Any
) -> None:
    settings.SSO_ALLOW_HTTP_ISSUERS = True
    member = Role.objects.get(tenant=acme, key="member")

    oidc = owner_client.post(
        page(acme, "connection-save"),
        {
            "issuer": idp.issuer,
            "client_id": "client-1",
            "client_secret": "secret-1",
            "scopes": "openid email profile",
            "default_role": member.pk,
        },
    )
    saml = owner_client.post(
        page(acme, "connection-saml-save"),
        {"idp_metadata": LocalSamlIdP().metadata, "default_role": member.pk},
    )

    for response in (oidc, saml):
        assert response.status_code == 403
        assert REFUSAL in response.content.decode()
    assert not Connection.objects.exists()


@pytest.mark.xmlsec1
def test_the_connection_services_themselves_refuse_it(
    billing_on: Any, acme: Any, owner: Any
) -> None:
    member = Role.objects.get(tenant=acme, key="member")
    with pytest.raises(PlanLimitReached, match=REFUSAL):
        connection_save(
            tenant=acme,
            acting_user=owner,
            issuer="https://idp.example",
            client_id="c",
            client_secret="s",
            scopes="openid",
            default_role=member,
            require_sso=False,
            auto_join=False,
        )
    with pytest.raises(PlanLimitReached, match=REFUSAL):
        saml_connection_save(
            tenant=acme,
            acting_user=owner,
            idp_metadata=LocalSamlIdP().metadata,
            default_role=member,
            require_sso=False,
            auto_join=False,
        )

    assert not Connection.objects.exists()


def test_on_business_the_forms_are_there(billing_on: Any, owner_client: Any, acme: Any) -> None:
    subscribe(acme, "business")

    html = owner_client.get(page(acme)).content.decode()

    assert "Save connection" in html and "Save SAML connection" in html
    assert "upgrade-sso" not in html


def test_after_a_downgrade_the_connection_keeps_signing_people_in(
    client: Any, idp: LocalIdP, acme: Any, downgraded_sso: Connection
) -> None:
    idp.user = {"sub": "okta-1", "email": "pat@example.com", "name": "Pat"}

    response = round_trip(client, idp, reverse("sso:start"), {"email": "pat@example.com"})

    assert response.status_code == 302 and response["Location"] == f"/t/{acme.slug}/"
    membership = Membership.objects.get(tenant=acme, user__email="pat@example.com")
    assert signed_in_user_id(client) == membership.user_id


def test_after_a_downgrade_the_page_says_so_and_changing_or_testing_it_is_refused(
    owner_client: Any, acme: Any, idp: LocalIdP, downgraded_sso: Connection
) -> None:
    html = owner_client.get(page(acme)).content.decode()
    changed = owner_client.post(
        page(acme, "connection-save"),
        {
            "issuer": idp.issuer,
            "client_id": "client-2",
            "client_secret": "",
            "scopes": "openid",
            "default_role": downgraded_sso.default_role_id or "",
        },
    )
    tested = owner_client.post(page(acme, "connection-test"))

    assert 'data-testid="upgrade-sso"' in html
    assert "Your connection keeps signing members in, so nobody is locked out" in html
    assert changed.status_code == tested.status_code == 403
    assert Connection.objects.get().client_id == "client-1"
