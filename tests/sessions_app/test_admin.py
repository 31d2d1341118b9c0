"""Django's admin signs in and out with our sessions, lists them and revokes them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sessions_app.models import Session
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.sessions_app.helpers import row_of, sign_in

pytestmark = [pytest.mark.django_db]


def test_admin_login_and_logout_use_our_sessions(client: Client, staff: Any) -> None:
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": staff.email, "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    row = row_of(client)
    client.post("/admin/logout/")
    row.refresh_from_db()
    assert row.revoked_reason == Session.RevokedReason.SIGNED_OUT
    assert client.get("/admin/").status_code == 302


def test_admin_lists_sessions_filters_by_status_and_revokes(
    client: Client, staff: Any, user: Any
) -> None:
    victim = Client(HTTP_USER_AGENT="curl/8.0")
    sign_in(victim, user)
    client.force_login(staff)
    html = client.get("/admin/sessions_app/session/?status=active").content.decode()
    assert user.email in html and "curl" in html
    victim_row = row_of(victim)
    response = client.post(
        "/admin/sessions_app/session/",
        {"action": "revoke_selected", "_selected_action": [victim_row.pk]},
        follow=True,
    )
    assert "Revoked 1 session(s)." in response.content.decode()
    victim_row.refresh_from_db()
    assert victim_row.revoked_reason == "admin" and victim_row.revoked_by == staff
    assert victim.get("/account/").status_code == 302
    revoked = client.get("/admin/sessions_app/session/?status=revoked").content.decode()
    assert user.email in revoked


def test_admin_detail_shows_hash_read_only_and_user_page_shows_sessions(
    client: Client, staff: Any, user: Any
) -> None:
    device = Client(HTTP_USER_AGENT="curl/8.0")
    sign_in(device, user)
    client.force_login(staff)
    row = row_of(device)
    detail = client.get(f"/admin/sessions_app/session/{row.pk}/change/").content.decode()
    assert row.token_hash in detail
    assert 'name="token_hash"' not in detail
    user_page = client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    assert "curl" in user_page and "Sessions" in user_page


def test_support_staff_revoke_customers_sessions_but_not_a_superusers(
    client: Client, user: Any
) -> None:
    """With `change_session`, staff signed a superuser out of every device."""
    from django.contrib.auth.models import Permission

    from tests.accounts.factories import UserFactory

    chief = UserFactory(is_staff=True, is_superuser=True)
    chiefs_phone, customers_phone = Client(), Client()
    sign_in(chiefs_phone, chief)
    sign_in(customers_phone, user)
    sam = UserFactory(is_staff=True)
    sam.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_session", "view_session"])
    )
    client.force_login(sam)
    rows = [row_of(chiefs_phone), row_of(customers_phone)]

    page = client.post(
        "/admin/sessions_app/session/",
        {"action": "revoke_selected", "_selected_action": [r.pk for r in rows]},
        follow=True,
    )

    text = page.content.decode()
    assert "Revoked 1 session(s)." in text
    assert "Left 1 session(s) of staff accounts: only a superuser revokes those." in text
    assert chiefs_phone.get("/account/").status_code == 200
    assert customers_phone.get("/account/").status_code == 302
