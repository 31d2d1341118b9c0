"""The overview's one prebuilt statement reads what the ORM reads, field by field.

tenants/selectors_overview.py keeps the ORM version of each read as its definition;
these tests hold the statement to it on the database the suite runs on (SQLite by
default, PostgreSQL with DATABASE_URL), with the values that JSON could bend:
timestamps, JSON columns with non-ASCII text, IP addresses, missing actors, ties.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.utils import timezone

from core.models import AuditEvent
from tenants import services
from tenants.models import Invitation, Membership, Role, Team
from tenants.selectors_overview import (
    PREVIEW_ACTIVITY,
    _counts_and_previews,
    _counts_orm,
    _events_orm,
    _newest_files_orm,
    _newest_members_orm,
    _teams_orm,
)
from tests.accounts.factories import UserFactory
from tests.tenants.factories import OrgFactory, add_member, make_team
from uploads.services import upload_create

pytestmark = pytest.mark.django_db


def fields(instance: Model | None) -> dict[str, Any] | None:
    if instance is None:
        return None
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@pytest.fixture
def busy_org(owner: Any) -> Any:
    """An org with every kind of row the overview counts or previews."""
    org = OrgFactory(owner=owner, name="Busy")
    member_role = Role.objects.get(tenant=org, key="member")
    members = [add_member(org, UserFactory(name=f"Zoë {i}")) for i in range(7)]
    type(members[0].user).objects.filter(pk=members[0].user_id).update(avatar="user-1/a.png")
    for name in ("beta", "Alpha", "gamma", "Delta", "épsilon", "Zeta", "eta"):
        team = make_team(org, name)
        for m in members[: len(name) % 4]:
            services.team_member_add(tenant=org, team=team, membership=m, acting_user=None)
    for i in range(3):
        Invitation.objects.create(
            tenant=org,
            email=f"invited{i}@example.com",
            role=member_role,
            invited_by=owner,
            token_hash=f"{i:064d}",
            created_at=timezone.now(),
            sent_at=timezone.now(),
            expires_at=timezone.now() + dt.timedelta(days=7 if i else -1),  # one expired
        )
    for name in ("a.txt", "b.txt"):
        upload_create(
            tenant=org,
            uploaded_by=owner,
            file=SimpleUploadedFile(name, b"x" * 1234, content_type="text/plain"),
            extension="txt",
            content_type="text/plain",
        )
    # An event by nobody (the system), one with an IP and JSON, both after the rest.
    AuditEvent.objects.create(tenant=org, actor=None, action="tenant.updated")
    AuditEvent.objects.create(
        tenant=org,
        actor=members[1].user,
        actor_ip="203.0.113.9",
        action="member.role_changed",
        target_label="Zoë «1»",
        before={"role": "Mémbre", "n": [1, 2.5, None, True]},
        after={"role": "Admin"},
    )
    return org


def test_counts_match_the_orm(busy_org: Any, owner: Any) -> None:
    counts, *_ = _counts_and_previews(tenant=busy_org, user=owner, everyone=True)

    assert counts == _counts_orm(busy_org)
    assert counts["pending"] == 2 and counts["files"] == 2 and counts["members"] == 8


def test_newest_members_match_the_orm_with_their_users(busy_org: Any, owner: Any) -> None:
    _, members, _, _, _ = _counts_and_previews(tenant=busy_org, user=owner, everyone=True)
    expected = _newest_members_orm(busy_org)

    assert [fields(m) for m in members] == [fields(m) for m in expected]
    assert [fields(m.user) for m in members] == [fields(m.user) for m in expected]
    assert all(timezone.is_aware(m.joined_at) for m in members)
    assert all(isinstance(m, Membership) and not m._state.adding for m in members)


def test_teams_match_the_orm_in_order_with_member_counts(busy_org: Any, owner: Any) -> None:
    _, _, teams, _, _ = _counts_and_previews(tenant=busy_org, user=owner, everyone=True)
    expected = _teams_orm(busy_org)

    assert [fields(t) for t in teams] == [fields(t) for t in expected]
    assert [t.member_count for t in teams] == [t.member_count for t in expected]
    assert all(isinstance(t, Team) for t in teams)


@pytest.mark.parametrize("everyone", [True, False])
def test_activity_matches_the_orm_with_actors(busy_org: Any, owner: Any, everyone: bool) -> None:
    _, _, _, events, _ = _counts_and_previews(tenant=busy_org, user=owner, everyone=everyone)
    expected = _events_orm(tenant=busy_org, user=owner, everyone=everyone)

    assert len(events) == (PREVIEW_ACTIVITY if everyone else len(expected))
    assert [fields(e) for e in events] == [fields(e) for e in expected]
    assert [fields(e.actor) for e in events] == [fields(e.actor) for e in expected]
    if everyone:
        assert events[0].before == {"role": "Mémbre", "n": [1, 2.5, None, True]}
        assert events[0].actor_ip == "203.0.113.9"
        assert events[1].actor is None
    else:
        assert all(e.actor_id == owner.pk for e in events)


def test_newest_files_match_the_orm_with_their_uploaders(busy_org: Any, owner: Any) -> None:
    """Files only (not avatars or logos), newest first, ties by id; an upload whose
    uploader's account is gone has no uploader."""
    from uploads.models import Upload

    logo = Upload.objects.create(
        tenant=busy_org,
        uploaded_by=owner,
        key=f"tenant-{busy_org.pk}/logo.png",
        original_filename="logo.png",
        content_type="image/png",
        size=10,
        checksum="0" * 64,
        kind=Upload.Kind.LOGO,
    )
    same_time = timezone.now()
    for i in range(6):
        Upload.objects.create(
            tenant=busy_org,
            uploaded_by=None if i == 5 else owner,
            key=f"tenant-{busy_org.pk}/tie-{i}.txt",
            original_filename=f"tie «{i}».txt",
            content_type="text/plain",
            size=i,
            checksum="0" * 64,
            kind=Upload.Kind.FILE,
        )
    Upload.objects.filter(original_filename__startswith="tie").update(created_at=same_time)

    *_, files = _counts_and_previews(tenant=busy_org, user=owner, everyone=True)
    expected = _newest_files_orm(busy_org)

    assert len(files) == 5
    assert [fields(f) for f in files] == [fields(f) for f in expected]
    assert [fields(f.uploaded_by) for f in files] == [fields(f.uploaded_by) for f in expected]
    assert files[0].uploaded_by is None and files[0].original_filename == "tie «5».txt"
    assert logo.pk not in {f.pk for f in files}
    assert all(timezone.is_aware(f.created_at) for f in files)


def test_an_empty_workspace_has_empty_previews(owner: Any) -> None:
    org = OrgFactory(owner=owner, name="Quiet")

    counts, members, teams, _, files = _counts_and_previews(tenant=org, user=owner, everyone=True)

    assert (
        counts
        == _counts_orm(org)
        == {
            "members": 1,
            "pending": 0,
            "teams": 0,
            "files": 0,
            "storage": 0,
        }
    )
    assert [m.user_id for m in members] == [owner.pk]
    assert teams == [] and files == []


def test_a_signed_in_overview_costs_three_statements(
    client: Any, busy_org: Any, owner: Any, django_assert_num_queries: Any
) -> None:
    """Session and user, membership with tenant, role, account and switcher, then the
    overview, its newest files included."""
    client.force_login(owner)
    client.get(f"/t/{busy_org.slug}/")  # the visit's write after switching

    with django_assert_num_queries(3):
        response = client.get(f"/t/{busy_org.slug}/")

    assert response.status_code == 200
    assert b"a.txt" in response.content and b"Zo\xc3\xab 6" in response.content
