"""A key never does more than the person who made it, now: their demotion narrows it,
and once they are no longer an active member it stops. An attack found a removed
admin's key still changing roles, deleting files and reading the audit log."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from accounts.services_lifecycle import account_delete
from api.models import ApiKey
from api.selectors import api_key_for_secret
from core.permissions import ALL_PERMISSIONS, AUDIT_VIEW, FILES_MANAGE, MEMBERS_MANAGE
from tenants.models import Membership, Role
from tenants.services import (
    membership_change_role,
    membership_leave,
    membership_remove,
    membership_suspend,
)
from tests.api.conftest import make_file, make_key
from tests.tenants.factories import add_member, make_role
from uploads.models import Upload

pytestmark = pytest.mark.django_db

SCOPES = [MEMBERS_MANAGE, FILES_MANAGE, AUDIT_VIEW]


def _call(key: str, method: str, path: str, body: Any = None) -> Any:
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    if method == "GET":
        return client.get(f"/api/v1{path}", **headers)
    return client.post(
        f"/api/v1{path}", json.dumps(body or {}), content_type="application/json", **headers
    )


@pytest.fixture
def admins_key(acme: Any) -> tuple[Membership, str]:
    admin = add_member(acme, role=Role.objects.get(tenant=acme, key="admin"))
    return admin, make_key(acme, admin.user, SCOPES)


def _every_use_refused(key: str, acme: Any, owner: Any) -> None:
    target = add_member(acme)
    helpers = make_role(acme, f"Helpers {target.pk}", [])
    file = make_file(acme, owner)
    for method, path, body in [
        ("GET", "/members", None),
        ("GET", "/audit-events", None),
        ("POST", f"/members/{target.pk}/role", {"role_id": helpers.pk}),
        ("POST", f"/files/{file.pk}/delete", None),
    ]:
        response = _call(key, method, path, body)
        assert response.status_code == 401, (path, response.content)
        assert "no longer an active member" in response.json()["detail"]
    assert Membership.objects.get(pk=target.pk).role.key == "member"
    assert Upload.objects.filter(pk=file.pk).exists()


def test_a_removed_creators_key_stops(acme: Any, owner: Any, admins_key: Any) -> None:
    admin, key = admins_key
    assert _call(key, "GET", "/members").status_code == 200

    membership_remove(tenant=acme, membership=admin, acting_user=owner)

    _every_use_refused(key, acme, owner)


def test_a_creator_who_comes_back_does_not_revive_the_key_they_kept(
    client: Any, acme: Any, owner: Any, admins_key: Any
) -> None:
    """A removed admin's key worked again once they were invited back, even as a member
    whose role could never have made it."""
    admin, key = admins_key
    membership_remove(tenant=acme, membership=admin, acting_user=owner)

    add_member(acme, user=admin.user)  # back, as a member

    _every_use_refused(key, acme, owner)
    client.force_login(owner)
    page = client.get(f"/t/{acme.slug}/settings/api-keys/").content.decode()
    assert "Stopped" in page[page.index("Integration") : page.index("</table>")]


def test_a_key_stops_when_its_creator_leaves_is_suspended_or_deactivated(
    acme: Any, owner: Any
) -> None:
    leaver = add_member(acme, role=Role.objects.get(tenant=acme, key="admin"))
    suspended = add_member(acme, role=Role.objects.get(tenant=acme, key="admin"))
    deactivated = add_member(acme, role=Role.objects.get(tenant=acme, key="admin"))
    keys = [
        make_key(acme, m.user, SCOPES, name=str(m.pk)) for m in (leaver, suspended, deactivated)
    ]

    membership_leave(tenant=acme, membership=leaver)
    membership_suspend(tenant=acme, membership=suspended, acting_user=None)
    deactivated.user.is_active = False
    deactivated.user.save(update_fields=["is_active"])

    for key in keys:
        _every_use_refused(key, acme, owner)


def test_a_key_stops_when_its_creator_deletes_their_account(
    acme: Any, owner: Any, admins_key: Any
) -> None:
    admin, key = admins_key
    account_delete(user=admin.user)

    _every_use_refused(key, acme, owner)


def test_a_key_without_a_creator_stops(acme: Any, owner: Any, admins_key: Any) -> None:
    """`created_by` is set to NULL if the creator's row is ever deleted."""
    _, key = admins_key
    ApiKey.objects.update(created_by=None)

    _every_use_refused(key, acme, owner)


def test_a_demoted_creators_key_keeps_only_what_their_role_still_holds(
    acme: Any, owner: Any, admins_key: Any
) -> None:
    admin, key = admins_key
    target = add_member(acme)
    helpers = make_role(acme, "Helpers", [])
    file = make_file(acme, owner)
    membership_change_role(
        tenant=acme,
        membership=admin,
        role=make_role(acme, "Auditors", [AUDIT_VIEW]),
        acting_user=owner,
    )

    assert _call(key, "GET", "/members").status_code == 200  # reading needs no scope
    assert _call(key, "GET", "/audit-events").status_code == 200  # still theirs
    refused = _call(key, "POST", f"/members/{target.pk}/role", {"role_id": helpers.pk})
    assert refused.status_code == 403
    assert _call(key, "POST", f"/files/{file.pk}/delete").status_code == 403
    assert Membership.objects.get(pk=target.pk).role.key == "member"
    assert Upload.objects.filter(pk=file.pk).exists()

    # Given back, the key does it again: its scopes were narrowed, never rewritten.
    membership_change_role(
        tenant=acme,
        membership=admin,
        role=Role.objects.get(tenant=acme, key="admin"),
        acting_user=owner,
    )
    assert _call(key, "POST", f"/files/{file.pk}/delete").status_code == 204
    assert ApiKey.objects.get().scopes == [c for c in ALL_PERMISSIONS if c in SCOPES]


def test_the_lookup_reads_the_creators_permissions_in_its_one_query(
    acme: Any, owner: Any, admins_key: Any, django_assert_num_queries: Any
) -> None:
    admin, key = admins_key
    with django_assert_num_queries(1):
        found = api_key_for_secret(raw=key)
    assert found is not None
    assert set(found.creator_permissions or []) == set(admin.role.permissions)

    membership_remove(tenant=acme, membership=admin, acting_user=owner)
    with django_assert_num_queries(1):
        found = api_key_for_secret(raw=key)
    assert found is not None and found.creator_permissions is None


def test_the_keys_page_says_which_keys_stopped_and_what_a_demotion_held_back(
    client: Any, acme: Any, owner: Any
) -> None:
    admin_role = Role.objects.get(tenant=acme, key="admin")
    gone = add_member(acme, role=admin_role)
    demoted = add_member(acme, role=admin_role)
    make_key(acme, gone.user, SCOPES, name="Departed")
    make_key(acme, demoted.user, SCOPES, name="Narrowed")
    membership_remove(tenant=acme, membership=gone, acting_user=owner)
    membership_change_role(
        tenant=acme,
        membership=demoted,
        role=make_role(acme, "Auditors", [AUDIT_VIEW]),
        acting_user=owner,
    )
    client.force_login(owner)

    page = client.get(f"/t/{acme.slug}/settings/api-keys/").content.decode()

    narrowed = page[page.index("Narrowed") : page.index("Departed")]  # newest first
    departed = page[page.index("Departed") : page.index("</table>")]
    assert "Stopped" in departed and "Stopped" not in narrowed
    assert f"It stopped working because {gone.user.email} is no longer an active member" in departed
    assert f"Not in effect, as {demoted.user.email}'s role no longer has them:" in narrowed
    assert 'line-through">Manage members' in narrowed
