"""The SCIM settings page: the token is shown once and stored hashed, replacing it
stops the old one, everything is audited and needs a recent authentication, and only
roles with "Manage directory sync" reach it."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from django.test import Client

from scim.models import Directory
from scim.selectors import directory_for_token
from tests.tenants.factories import OrgFactory, add_member

pytestmark = pytest.mark.django_db


def _url(tenant: Any, path: str = "") -> str:
    return f"/t/{tenant.slug}/settings/scim/{path}"


def _token(response: Any) -> str:
    found = re.search(r'data-testid="scim-token">([^<]+)<', response.content.decode())
    assert found is not None
    return found.group(1)


def test_the_token_is_shown_once_and_only_its_hash_is_stored(
    owner_client: Client, acme: Any
) -> None:
    created = owner_client.post(_url(acme, "token/"))
    token = _token(created)
    later = owner_client.get(_url(acme)).content.decode()

    directory = Directory.objects.get(tenant=acme)
    assert directory.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in later and f"…{token[-4:]}" in later
    assert f"/scim/v2/{acme.slug}" in later
    assert created["Cache-Control"].startswith("private") or "no-store" in created["Cache-Control"]


def test_replacing_the_token_stops_the_old_one_at_once(owner_client: Client, acme: Any) -> None:
    old = _token(owner_client.post(_url(acme, "token/")))
    new = _token(owner_client.post(_url(acme, "token/")))

    assert directory_for_token(org_slug=acme.slug, raw_token=old) is None
    assert directory_for_token(org_slug=acme.slug, raw_token=new) is not None


def test_turning_provisioning_off_revokes_the_token(owner_client: Client, acme: Any) -> None:
    token = _token(owner_client.post(_url(acme, "token/")))

    owner_client.post(_url(acme, "disable/"))

    assert directory_for_token(org_slug=acme.slug, raw_token=token) is None
    assert "Off: no token yet." in owner_client.get(_url(acme)).content.decode()


def test_token_changes_are_audited_without_the_token(owner_client: Client, acme: Any) -> None:
    token = _token(owner_client.post(_url(acme, "token/")))
    owner_client.post(_url(acme, "token/"))
    owner_client.post(_url(acme, "disable/"))

    events = list(acme.audit_events.filter(action__startswith="scim.").order_by("pk"))
    assert [e.action for e in events] == [
        "scim.token_created",
        "scim.token_rotated",
        "scim.token_revoked",
    ]
    assert all(token not in str(e.before) + str(e.after) for e in events)
    # The target reads in every language: the token's last characters, not English words.
    assert events[0].target_label == f"…{token[-4:]}"
    assert all(e.target_label.startswith("…") and len(e.target_label) == 5 for e in events)
    assert token not in "".join(e.target_label for e in events)


def test_token_changes_need_a_recent_authentication(
    owner_client: Client, acme: Any, settings: Any
) -> None:
    settings.MFA_REAUTH_AGE = 0

    answer = owner_client.post(_url(acme, "token/"))

    assert answer.status_code == 307 and answer["Location"].startswith("/auth/confirm/")
    assert not Directory.objects.filter(tenant=acme).exists()


def test_only_roles_that_manage_directory_sync_reach_the_page(
    client: Client, acme: Any, admin_of_acme: Any
) -> None:
    client.force_login(admin_of_acme)

    assert client.get(_url(acme)).status_code == 403
    assert client.post(_url(acme, "token/")).status_code == 403
    assert not Directory.objects.filter(tenant=acme).exists()


def test_an_owner_of_another_org_gets_404(client: Client, acme: Any) -> None:
    other = OrgFactory(name="Globex")
    client.force_login(other.memberships.get().user)

    assert client.get(_url(acme)).status_code == 404
    assert client.post(_url(acme, "token/")).status_code == 404


def test_the_settings_page_links_to_it_for_owners_only(owner_client: Client, acme: Any) -> None:
    assert _url(acme) in owner_client.get(f"/t/{acme.slug}/settings/").content.decode()
    member = Client()
    member.force_login(add_member(acme, role_key="admin").user)
    assert _url(acme) not in member.get(f"/t/{acme.slug}/settings/").content.decode()
