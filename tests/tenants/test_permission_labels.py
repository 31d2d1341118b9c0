"""Permissions reach people as names with a line of explanation, under headings; never as codes."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from core.permissions import (
    ALL_PERMISSIONS,
    BILLING_MANAGE,
    MEMBERS_INVITE,
    PERMISSION_GROUPS,
    PERMISSIONS,
    TENANT_UPDATE,
    permission_groups,
    permission_names,
)
from tests.tenants.factories import add_member, make_role

CODE = re.compile(r"\b(?:" + "|".join(re.escape(c) for c in ALL_PERMISSIONS) + r")\b")


def test_every_permission_has_a_name_a_description_and_a_known_heading() -> None:
    for permission in PERMISSIONS:
        assert permission.name and permission.description.endswith(".")
        assert permission.group in PERMISSION_GROUPS
    listed = [p.code for _, group in permission_groups() for p in group]
    assert sorted(listed) == sorted(ALL_PERMISSIONS)  # each exactly once
    assert all(group for _, group in permission_groups())  # no empty heading


def test_names_come_in_page_order_and_an_unknown_code_stays_readable() -> None:
    names = permission_names([TENANT_UPDATE, "reports.export", MEMBERS_INVITE])
    assert names == ["Invite people", "Edit workspace settings", "reports.export"]


def _text(html: str) -> str:
    """What a person reads: no tags (where form values and ids hold the codes)."""
    return re.sub(r"<[^>]+>", " ", html)


def test_the_roles_page_shows_names_and_descriptions_not_codes(client: Any, acme: Any) -> None:
    """To someone who cannot make roles, a guide explains each permission."""
    make_role(acme, "Finance", [BILLING_MANAGE])
    client.force_login(add_member(acme).user)
    html = client.get(f"/t/{acme.slug}/roles/").content.decode()
    assert not CODE.findall(_text(html))
    assert "Manage billing" in html and "Every permission" in html  # Finance; the owner
    assert 'data-testid="permission-groups"' not in html  # no form to make a role
    guide = unescape(html[html.index('data-testid="permission-guide"') :])
    for group, permissions in permission_groups():
        assert f">{group}</h3>" in guide
        for permission in permissions:
            assert permission.name in guide and permission.description in guide


def test_beside_the_new_role_form_each_permission_is_explained_once(
    owner_client: Any, acme: Any
) -> None:
    """The form explains each permission at its box; the guide said it all again (at
    360 px, one above the other: about 4,000 px of page)."""
    html = unescape(owner_client.get(f"/t/{acme.slug}/roles/").content.decode())

    assert 'data-testid="permission-groups"' in html
    assert 'data-testid="permission-guide"' not in html
    for _, permissions in permission_groups():
        for permission in permissions:
            assert html.count(permission.description) == 1, permission.description


def test_the_role_form_lists_the_permissions_under_their_headings(
    owner_client: Any, acme: Any
) -> None:
    role = make_role(acme, "Finance", [BILLING_MANAGE])
    html = owner_client.get(f"/t/{acme.slug}/roles/{role.pk}/").content.decode()
    legends = re.findall(r"<legend[^>]*>([^<]+)</legend>", html)
    assert legends == ["Permissions", *PERMISSION_GROUPS]
    assert not CODE.findall(_text(html))
    billing = re.search(r'<input[^>]*value="billing.manage"[^>]*>', html)
    assert billing and "checked" in billing.group(0)


def test_the_audit_log_names_the_permissions_a_role_change_added(
    owner_client: Any, acme: Any
) -> None:
    role = make_role(acme, "Finance", [BILLING_MANAGE])
    owner_client.post(
        f"/t/{acme.slug}/roles/{role.pk}/",
        {"name": "Finance", "permissions": [BILLING_MANAGE, MEMBERS_INVITE]},
    )
    html = owner_client.get(f"/t/{acme.slug}/audit/").content.decode()
    assert (
        'Manage billing</span> <span class="inline-block rtl:-scale-x-100">→</span> '
        "<span>Invite people, Manage billing" in html
    )
    assert not CODE.findall(_text(html))
