"""htmx requests that need sign-in navigate the browser, never swap a page into a fragment."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sessions_app.models import Session
from sessions_app.services import session_revoke_all_for_user

pytestmark = pytest.mark.django_db


def test_htmx_action_after_the_session_was_revoked_navigates_to_sign_in(
    owner_client: Client, owner: Any, acme: Any
) -> None:
    members = f"/t/{acme.slug}/members/"
    assert owner_client.get(members).status_code == 200
    session_revoke_all_for_user(user=owner, reason=Session.RevokedReason.SIGNED_OUT)

    response = owner_client.post(
        f"/t/{acme.slug}/members/invites/",
        {"email": "new@example.com"},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{members}"},
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/auth/sign-in/?next=%2Ft%2F{acme.slug}%2Fmembers%2F"
    assert b"<html" not in response.content


def test_htmx_request_of_an_anonymous_visitor_goes_to_sign_in_with_the_requested_page(
    client: Client,
) -> None:
    response = client.get("/account/sessions/", headers={"HX-Request": "true"})

    assert response["HX-Redirect"] == "/auth/sign-in/?next=%2Faccount%2Fsessions%2F"


def test_a_foreign_current_url_is_never_used_as_next(client: Client) -> None:
    response = client.get(
        "/account/sessions/",
        headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/phish"},
    )

    assert response["HX-Redirect"] == "/auth/sign-in/?next=%2Faccount%2Fsessions%2F"


def test_plain_requests_keep_the_ordinary_redirect(client: Client) -> None:
    response = client.get("/account/sessions/")

    assert response.status_code == 302
    assert response["Location"] == "/auth/sign-in/?next=/account/sessions/"
