"""The prebuilt hot-path lookups build the same instances as the ORM would."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Model
from django.utils import timezone

from sessions_app.models import Session
from sessions_app.selectors import session_with_user_get
from tenants.models import Membership
from tenants.selectors import membership_for_request
from tenants.services import tenant_delete
from tests.tenants.factories import add_member

pytestmark = pytest.mark.django_db


def _fields(instance: Model) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_session_lookup_matches_the_orm_field_by_field(client: Any, user: Any) -> None:
    client.force_login(user)
    stored = Session.objects.get(user=user)
    Session.objects.filter(pk=stored.pk).update(data={"note": "ü", "n": [1, 2]})

    expected = Session.objects.select_related("user").get(pk=stored.pk)
    found = session_with_user_get(token_hash=expected.token_hash)

    assert found is not None
    assert _fields(found) == _fields(expected)
    assert _fields(found.user) == _fields(expected.user)
    assert found.data == {"note": "ü", "n": [1, 2]}
    assert timezone.is_aware(found.expires_at) and timezone.is_aware(found.user.date_joined)
    assert found._state.adding is False


def test_unknown_session_hash_is_none() -> None:
    assert session_with_user_get(token_hash="0" * 64) is None


def test_membership_lookup_matches_the_orm_with_tenant_role_and_account(acme: Any) -> None:
    member = add_member(acme, role_key="admin")
    expected = Membership.objects.select_related("tenant", "role", "tenant__account").get(
        pk=member.pk
    )

    found = membership_for_request(user=member.user, slug=acme.slug)

    assert found is not None
    assert _fields(found) == _fields(expected)
    assert _fields(found.tenant) == _fields(expected.tenant)
    assert _fields(found.role) == _fields(expected.role)
    assert found.role.permissions == expected.role.permissions
    assert _fields(found.tenant.account) == _fields(expected.tenant.account)


def test_membership_lookup_misses_other_slugs_non_members_and_deleted_orgs(
    acme: Any, owner: Any, other_user: Any
) -> None:
    assert membership_for_request(user=other_user, slug=acme.slug) is None
    assert membership_for_request(user=owner, slug="no-such-slug") is None

    tenant_delete(tenant=acme, acting_user=owner)

    assert membership_for_request(user=owner, slug=acme.slug) is None


def test_device_rows_match_session_list_in_order_and_field_by_field(user: Any) -> None:
    from datetime import timedelta

    from django.test import Client

    from sessions_app.selectors import session_list, session_rows

    for _ in range(5):
        Client().force_login(user)
    sessions = list(Session.objects.filter(user=user).order_by("pk"))
    now = timezone.now()
    Session.objects.filter(pk=sessions[0].pk).update(revoked_at=now, revoked_reason="admin")
    Session.objects.filter(pk=sessions[1].pk).update(expires_at=now)  # expired: left out
    Session.objects.filter(pk=sessions[2].pk).update(last_activity_at=now - timedelta(days=2))
    Session.objects.filter(pk=sessions[3].pk).update(data={"factors": ["password"]})
    Session.objects.filter(pk__in=[sessions[3].pk, sessions[4].pk]).update(last_activity_at=now)

    expected = list(session_list(user=user))
    found = session_rows(user=user, now=timezone.now())

    assert [s.pk for s in found] == [s.pk for s in expected]
    assert len(found) == 3
    assert found[0].pk == sessions[4].pk  # same activity: the newer row first
    assert [_fields(s) for s in found] == [_fields(s) for s in expected]
    assert all(s._state.adding is False for s in found)
