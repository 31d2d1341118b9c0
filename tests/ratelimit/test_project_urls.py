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
