"""Directory sync belongs to the paid "sso" feature. On a plan without it the SCIM page
shows what it does and an upgrade button instead of "Create token", and making a token
is refused whoever asks. A token made on a paid plan keeps working after a downgrade,
so people who leave are still removed, and turning sync off is always possible."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from billing.exceptions import PlanLimitReached
from scim.models import Directory
from scim.selectors import directory_for_token
from scim.services import directory_token_rotate
from tests.billing.factories import subscribe

pytestmark = pytest.mark.django_db

REFUSAL = "The Free plan does not include single sign-on."


def _url(tenant: Any, path: str = "") -> str:
    return f"/t/{tenant.slug}/settings/scim/{path}"


def scim_users(client: Client, tenant: Any, token: str) -> Any:
    return client.get(f"/scim/v2/{tenant.slug}/Users", headers={"Authorization": f"Bearer {token}"})


def test_the_scim_page_shows_what_it_does_and_an_upgrade_button_instead_of_a_token(
    billing_on: Any, owner_client: Client, acme: Any
) -> None:
    response = owner_client.get(_url(acme))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="upgrade-sso"' in html
    assert "which can also add and remove them (SCIM directory sync)" in html
    assert f'href="/t/{acme.slug}/billing/"' in html and ">Upgrade<" in html
    assert "Create token" not in html


def test_making_a_token_on_a_plan_without_sso_is_refused_with_403(
    billing_on: Any, owner_client: Client, acme: Any
) -> None:
    response = owner_client.post(_url(acme, "token/"))

    assert response.status_code == 403
    assert REFUSAL in response.content.decode()
    assert 'data-testid="scim-token"' not in response.content.decode()
    assert not Directory.objects.exists()


def test_the_token_service_itself_refuses_it(billing_on: Any, acme: Any, owner: Any) -> None:
    with pytest.raises(PlanLimitReached, match=REFUSAL):
        directory_token_rotate(tenant=acme, acting_user=owner)

    assert not Directory.objects.exists()


def test_after_a_downgrade_the_token_keeps_syncing_and_only_replacing_it_is_refused(
    billing_on: Any, client: Client, owner_client: Client, acme: Any, owner: Any
) -> None:
    subscribe(acme, "business")
    token = directory_token_rotate(tenant=acme, acting_user=owner)
    subscribe(acme, "free")

    html = owner_client.get(_url(acme)).content.decode()
    replaced = owner_client.post(_url(acme, "token/"))

    assert scim_users(client, acme, token).status_code == 200
    assert "The current token keeps working, so people who leave are still removed" in html
    assert replaced.status_code == 403
    assert directory_for_token(org_slug=acme.slug, raw_token=token) is not None


def test_after_a_downgrade_sync_can_still_be_turned_off(
    billing_on: Any, client: Client, owner_client: Client, acme: Any, owner: Any
) -> None:
    subscribe(acme, "business")
    token = directory_token_rotate(tenant=acme, acting_user=owner)
    subscribe(acme, "free")

    response = owner_client.post(_url(acme, "disable/"))

    assert response.status_code == 302
    assert directory_for_token(org_slug=acme.slug, raw_token=token) is None
    assert scim_users(client, acme, token).status_code == 401
