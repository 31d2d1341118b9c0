"""The real project URLs are in the tiers the settings name."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/auth/sign-in/", {"email": "nobody@example.com", "password": "wrong-password"}),
        ("/admin/login/", {"username": "nobody@example.com", "password": "wrong-password"}),
    ],
)
def test_sign_in_and_admin_login_posts_are_in_the_auth_tier(
    client: Client, path: str, data: dict[str, str]
) -> None:
    codes = [client.post(path, data).status_code for _ in range(6)]
    assert 429 not in codes[:5]
    assert codes[5] == 429
    assert client.get(path).status_code == 200  # the form still renders


def test_healthz_is_exempt(client: Client, settings: Any) -> None:
    settings.RATELIMIT_TIERS = {**settings.RATELIMIT_TIERS, "api": {"rate": "1/1h"}}
    for _ in range(3):
        assert "X-RateLimit-Limit" not in client.get("/healthz/").headers


@pytest.mark.django_db
def test_owner_setting_up_org_is_not_rate_limited_by_page_views(client: Client, user: Any) -> None:
    """An owner clicking through set-up: well over 100 page views, htmx swaps and saves
    in a few minutes (the old single 100/15 min tier answered 429 from the 101st)."""
    client.force_login(user)
    created = client.post("/account/tenants/new/", {"name": "Acme", "account": "new"})
    assert created.status_code == 302
    base = created["Location"]
    pages = ["", "members/", "roles/", "roles/new/", "teams/", "settings/", "audit/"]
    codes = []
    for n in range(25):
        for page in pages:
            codes.append(client.get(base + page).status_code)
        codes.append(client.get(base + "members/", HTTP_HX_REQUEST="true").status_code)
        codes.append(client.post(base + "settings/rename/", {"name": f"Acme {n}"}).status_code)
    assert len(codes) == 225
    assert 429 not in codes


@pytest.mark.django_db
def test_signed_in_requests_are_counted_by_kind(client: Client, user: Any) -> None:
    user.is_staff = True
    user.save()
    client.force_login(user)
    assert client.get("/account/").headers["X-RateLimit-Limit"] == "1200"
    assert client.post("/account/", {"name": "Ann"}).headers["X-RateLimit-Limit"] == "300"
    assert client.get("/admin/").headers["X-RateLimit-Limit"] == "600"
