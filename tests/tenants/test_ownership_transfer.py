"""Choosing the new owner: from a list in a small organisation, by address (with
suggestions as the owner types) once the others are too many to list."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from tenants import forms, services
from tenants.models import Membership, Role
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.tenants.factories import add_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(acme: Any, monkeypatch: pytest.MonkeyPatch) -> list[Membership]:
    """Acme with more other members than the list shows (three, for the test)."""
    monkeypatch.setattr(forms, "OWNER_CANDIDATES_LISTED", 3)
    names = ["Zoe Zimmer", "Zed Zapata", "Ann Lee", "Bob Ray"]
    return [
        add_member(acme, User.objects.create_user(email=f"{n.split()[0].lower()}@x.test", name=n))
        for n in names
    ]


def settings_html(client: Client, acme: Any) -> str:
    return client.get(f"/t/{acme.slug}/settings/").content.decode()


def transfer(client: Client, acme: Any, chosen: Any) -> Any:
    data = {"membership": chosen, "password": DEFAULT_PASSWORD}
    return client.post(f"/t/{acme.slug}/settings/transfer/", data)


def test_a_small_organisation_lists_the_other_members(
    owner_client: Client, acme: Any, member_of_acme: Any
) -> None:
    html = settings_html(owner_client, acme)
    select = html.split('<select name="membership"', 1)[1].split("</select>", 1)[0]
    assert member_of_acme.email in select and "owner@" not in select
    assert 'list="owner-candidates"' not in html


def test_past_the_list_the_new_owner_is_typed_and_suggested(
    owner_client: Client, acme: Any, owner: Any, crowd: list[Membership]
) -> None:
    html = settings_html(owner_client, acme)
    assert '<select name="membership"' not in html
    assert 'list="owner-candidates"' in html and '<datalist id="owner-candidates">' in html
    assert "zoe@x.test" not in html  # nobody is listed until the owner types

    suggest = f"/t/{acme.slug}/settings/transfer/candidates/"
    found = owner_client.get(suggest, {"membership": "z"}).content.decode()
    assert found.strip() == "", "one letter suggests nobody"
    found = owner_client.get(suggest, {"membership": "ZAPATA"}).content.decode()
    assert re.findall(r'<option value="([^"]+)">([^<]+)</option>', found) == [
        ("zed@x.test", "Zed Zapata")
    ]
    mine = owner_client.get(suggest, {"membership": owner.email[:6]}).content.decode()
    assert owner.email not in mine, "the owner is not their own successor"

    response = transfer(owner_client, acme, "ZED@x.test")
    assert response.status_code == 302
    zed = Membership.objects.get(tenant=acme, user__email="zed@x.test")
    assert zed.role.key == Role.Key.OWNER


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("", "Choose the member who becomes the owner."),
        ("nobody@x.test", "Nobody in Acme has the address nobody@x.test."),
        (
            "Zed Zapata",
            "Type the new owner&#x27;s email address, or pick them from the suggestions.",
        ),
        ("{owner}", "You already own Acme: type another member&#x27;s address."),
    ],
)
def test_an_address_that_names_no_other_member_is_refused_in_place(
    owner_client: Client, acme: Any, owner: Any, crowd: list[Membership], typed: str, said: str
) -> None:
    typed = typed.format(owner=owner.email)
    response = transfer(owner_client, acme, typed)
    html = response.content.decode()
    assert response.status_code == 400 and said in html
    assert f'value="{typed}"' in html or not typed, "what was typed stays in the field"
    assert Membership.objects.get(tenant=acme, user=owner).role.key == Role.Key.OWNER


def test_only_the_owner_gets_suggestions(
    client: Client, acme: Any, crowd: list[Membership]
) -> None:
    admin = crowd[2]
    admin.role = Role.objects.get(tenant=acme, key=Role.Key.ADMIN)
    admin.save()
    client.force_login(admin.user)
    response = client.get(f"/t/{acme.slug}/settings/transfer/candidates/", {"membership": "zoe"})
    assert response.status_code == 403 and b"zoe@x.test" not in response.content


def test_the_page_says_the_new_owner_becomes_primary_contact_when_the_owner_is_it(
    owner_client: Client, acme: Any, member_of_acme: Any
) -> None:
    html = settings_html(owner_client, acme)
    assert "You become an admin; the new owner also becomes the primary contact." in html
    assert "They become the owner and primary contact;" in html


def test_the_page_does_not_promise_the_primary_contact_someone_else_keeps(
    owner_client: Client, acme: Any, owner: Any, member_of_acme: Any, admin_of_acme: Any
) -> None:
    """The transfer leaves the primary contact with whoever else has it: the page said
    the new owner became it all the same."""
    contact = Membership.objects.get(tenant=acme, user=admin_of_acme)
    services.membership_set_primary_contact(tenant=acme, membership=contact, acting_user=owner)

    html = settings_html(owner_client, acme)
    assert "primary contact" not in html
    assert "You become an admin." in html and "They become the owner;" in html
