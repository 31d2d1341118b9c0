"""Single sign-on is a paid feature (the gating table in settings). On a plan without it
the SSO page shows what it does and an upgrade button instead of the forms, and saving
or testing a connection is refused whoever asks. A connection saved on a paid plan
keeps signing people in after a downgrade: nobody is locked out of their workspace."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from billing.exceptions import PlanLimitReached
from core.models import AuditEvent
from sso.models import Connection, JoinRequest
from sso.services_connections import connection_save
from sso.services_saml import saml_connection_save
from tenants.models import Membership, Role
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
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


@pytest.fixture
def full_on_free(downgraded_sso: Connection, acme: Any, settings: Any) -> Connection:
    """Acme, down on Free with its connection kept, holds every seat Free allows."""
    from tenants.selectors import tenant_seats_taken

    plans = copy.deepcopy(settings.BILLING_PLANS)
    plans["free"]["max_members"] = tenant_seats_taken(tenant=acme)
    settings.BILLING_PLANS = plans
    return downgraded_sso


FULL = "The Free plan allows up to"


def test_a_full_organisation_refuses_a_new_person_its_idp_signs_in(
    client: Any, idp: LocalIdP, acme: Any, full_on_free: Connection
) -> None:
    """The attack: buy Business, connect the IdP, move to Free, and let the IdP add
    people past Free's cap. A sign-in adds a seat as an invitation does."""
    idp.user = {"sub": "okta-9", "email": "ninth@example.com", "name": "Ninth"}

    response = round_trip(client, idp, reverse("sso:start"), {"email": "ninth@example.com"})

    assert not Membership.objects.filter(tenant=acme, user__email="ninth@example.com").exists()
    assert not User.objects.filter(email="ninth@example.com").exists(), "nothing kept"
    assert signed_in_user_id(client) is None
    assert f"{acme.name} has no free seat on its current plan" in _followed(client, response)


def test_a_full_organisation_turns_an_auto_join_into_a_request_an_owner_sees(
    client: Any, acme: Any, full_on_free: Connection
) -> None:
    full_on_free.auto_join = True
    full_on_free.save()
    person = UserFactory(email="colleague@example.com")

    signed_in = client.post(
        reverse("accounts:sign-in"),
        {"email": person.email, "password": DEFAULT_PASSWORD},
        follow=True,
    )

    assert not Membership.objects.filter(tenant=acme, user=person).exists()
    assert JoinRequest.objects.filter(tenant=acme, user=person, decided_at=None).exists()
    said = signed_in.content.decode()
    assert f"{acme.name} has no free seat on its current plan, so an owner will decide" in said
    assert "You asked to join" not in said
    assert not AuditEvent.objects.filter(tenant=acme, action="sso.auto_joined").exists()


def test_approving_a_request_on_a_full_organisation_is_refused_and_it_stays_open(
    owner_client: Any, acme: Any, full_on_free: Connection
) -> None:
    person = UserFactory(email="asker@example.com")
    join_request = JoinRequest.objects.create(tenant=acme, user=person)

    response = owner_client.post(
        reverse(
            "sso_settings:join-approve",
            kwargs={"tenant_slug": acme.slug, "request_id": join_request.pk},
        ),
        follow=True,
    )

    assert FULL in response.content.decode()
    assert not Membership.objects.filter(tenant=acme, user=person).exists()
    join_request.refresh_from_db()
    assert join_request.decided_at is None, "still there to approve once a seat is free"


def test_with_a_seat_free_the_idp_and_auto_join_still_add_people(
    client: Any, idp: LocalIdP, acme: Any, full_on_free: Connection, settings: Any
) -> None:
    settings.BILLING_PLANS["free"]["max_members"] += 2
    full_on_free.auto_join = True
    full_on_free.save()
    person = UserFactory(email="colleague@example.com")
    idp.user = {"sub": "okta-9", "email": "ninth@example.com", "name": "Ninth"}

    round_trip(client, idp, reverse("sso:start"), {"email": "ninth@example.com"})
    Client().post(
        reverse("accounts:sign-in"), {"email": person.email, "password": DEFAULT_PASSWORD}
    )

    assert Membership.objects.filter(tenant=acme, user__email="ninth@example.com").exists()
    assert Membership.objects.filter(tenant=acme, user=person).exists()


def _followed(client: Any, response: Any) -> str:
    """The page a refused sign-in shows, however it answered (in place or redirected)."""
    if response.status_code in (301, 302):
        return client.get(response["Location"]).content.decode()
    return response.content.decode()
