"""People whose address is not verified cannot act on others' behalf: no new orgs,
no invitations (sent or resent). And nobody creates orgs without limit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import EmailDelivery
from tenants.invitations import invitation_create
from tenants.models import Invitation, Role, Tenant
from tenants.services import tenant_delete
from tests.accounts.factories import UserFactory
from tests.tenants.factories import OrgFactory, add_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def unverified(db: None) -> Any:
    return UserFactory(unverified=True)


@pytest.fixture
def unverified_client(client: Client, unverified: Any) -> Client:
    client.force_login(unverified)
    return client


def _refused(response: Any) -> bool:
    return response.status_code == 403 and "Confirm your email address first" in (
        response.content.decode()
    )


def test_unverified_user_cannot_send_invitations(
    unverified: Any,
    unverified_client: Client,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    acme = OrgFactory(owner=unverified, name="Acme")  # e.g. made before the setting was on
    member = Role.objects.get(tenant=acme, key="member")
    earlier = invitation_create(
        tenant=acme, email="old@example.com", role=member, teams=[], acting_user=unverified
    )
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        sent = unverified_client.post(
            f"/t/{acme.slug}/members/invites/", {"email": "victim@example.com", "role": member.pk}
        )
        resent = unverified_client.post(f"/t/{acme.slug}/members/invites/{earlier.pk}/resend/")

    assert _refused(sent) and _refused(resent)
    assert list(Invitation.objects.values_list("email", flat=True)) == ["old@example.com"]
    assert mailoutbox == []


def test_htmx_invitations_from_unverified_users_go_to_the_explanation(
    unverified: Any, unverified_client: Client
) -> None:
    acme = OrgFactory(owner=unverified, name="Acme")
    member = Role.objects.get(tenant=acme, key="member")
    response = unverified_client.post(
        f"/t/{acme.slug}/members/invites/",
        {"email": "victim@example.com", "role": member.pk},
        headers={
            "HX-Request": "true",
            "HX-Current-URL": f"http://testserver/t/{acme.slug}/members/",
        },
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == (
        f"/auth/verify-email/required/?next=http%3A%2F%2Ftestserver%2Ft%2F{acme.slug}%2Fmembers%2F"
    )
    page = unverified_client.get(response["HX-Redirect"])
    assert page.status_code == 200 and "Send me a new link" in page.content.decode()
    assert not Invitation.objects.exists()


def test_unverified_user_cannot_create_org(unverified: Any, unverified_client: Client) -> None:
    page = unverified_client.get("/account/tenants/new/")
    created = unverified_client.post("/account/tenants/new/", {"name": "Phish", "account": "new"})

    assert _refused(page) and _refused(created)
    assert not Tenant.objects.filter(kind=Tenant.Kind.ORG).exists()


def test_verification_can_be_switched_off(settings: Any, unverified_client: Client) -> None:
    settings.ACCOUNTS_REQUIRE_VERIFIED_EMAIL = False
    response = unverified_client.post("/account/tenants/new/", {"name": "Acme", "account": "new"})
    assert response.status_code == 302
    assert Tenant.objects.filter(name="Acme").exists()


def test_the_refusal_page_sends_a_new_link_and_comes_back(
    unverified: Any,
    unverified_client: Client,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    refusal = unverified_client.get("/account/tenants/new/")
    assert _refused(refusal)
    page = refusal.content.decode()
    assert "Please confirm your email address" not in page  # no second resend button
    assert 'action="/auth/verify-email/resend/"' in page
    assert 'name="next" value="/account/tenants/new/"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = unverified_client.post(
            "/auth/verify-email/resend/", {"next": "/account/tenants/new/"}
        )
    assert response["Location"] == "/account/tenants/new/"
    [message] = mailoutbox
    assert message.to == [unverified.email] and "/auth/verify-email/" in message.body
    assert EmailDelivery.objects.count() == 1


# --- How many orgs a person may create -------------------------------------------------


def _create(client: Client, name: str) -> Any:
    return client.post("/account/tenants/new/", {"name": name, "account": "new"})


def test_org_creation_capped_per_day(settings: Any, auth_client: Client, user: Any) -> None:
    settings.TENANTS_ORG_CREATE_PER_DAY = 3
    first = _create(auth_client, "One")
    assert first.status_code == 302
    tenant_delete(tenant=Tenant.objects.get(name="One"), acting_user=user)  # still counts
    assert [_create(auth_client, n).status_code for n in ("Two", "Three")] == [302, 302]

    refused = _create(auth_client, "Four")

    assert refused.status_code == 400
    assert "You have created 3 organisations in the last 24 hours" in refused.content.decode()
    assert not Tenant.objects.filter(name="Four").exists()
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        assert _create(auth_client, "Four").status_code == 302


def test_joining_orgs_does_not_count_as_creating_them(
    settings: Any, auth_client: Client, user: Any
) -> None:
    settings.TENANTS_ORG_CREATE_PER_DAY = 1
    add_member(OrgFactory(), user)
    assert _create(auth_client, "Mine").status_code == 302


def test_operators_are_not_capped(settings: Any, user: Any) -> None:
    settings.TENANTS_ORG_CREATE_PER_DAY = 1
    for name in ("A", "B", "C"):
        OrgFactory(owner=user, name=name)  # the service without an acting user (admin, commands)
    assert Tenant.objects.filter(kind=Tenant.Kind.ORG).count() == 3
