"""The admin shows SSO records read-only and never the client secret or the token."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from sso.models import Connection

pytestmark = pytest.mark.django_db


def test_the_admin_shows_a_connection_without_its_secret(
    staff_client: Any, acme_sso: Connection
) -> None:
    changelist = staff_client.get(reverse("admin:sso_connection_changelist"))
    page = staff_client.get(reverse("admin:sso_connection_change", args=[acme_sso.pk]))

    assert changelist.status_code == 200 and page.status_code == 200
    html = page.content.decode()
    assert "secret-1" not in html and acme_sso.client_secret_encrypted not in html
    assert (
        staff_client.post(
            reverse("admin:sso_connection_change", args=[acme_sso.pk]), {}
        ).status_code
        == 403
    )
