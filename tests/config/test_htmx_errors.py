"""An htmx request that cannot have its fragment (403, 404, 400, 500, 503, a stale CSRF
token, a plan limit) gets its status, no page, and a toast saying what happened."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client

from billing.exceptions import PlanLimitReached
from billing.middleware import PlanLimitMiddleware
from config.errors import server_error
from config.views import permission_denied
from core.htmx import toasts_of
from tenants.exceptions import EscalationError
from tenants.models import Membership, Role
from tests.tenants.factories import make_team

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _told(response: Any) -> str:
    """The one error toast of an answer that carries no page."""
    assert b"<html" not in response.content
    [told] = toasts_of(response)
    assert told["level"] in ("error", "warning")
    return told["message"]


def test_an_action_the_role_does_not_allow_is_a_toast(
    client: Any, acme: Any, member_of_acme: Any, owner: Any
) -> None:
    client.force_login(member_of_acme)
    owners = Membership.objects.get(tenant=acme, user=owner)

    response = client.post(f"/t/{acme.slug}/members/{owners.pk}/remove/", **HTMX)

    assert response.status_code == 403
    assert "You don't have permission to do that" in _told(response)


def test_something_removed_meanwhile_is_a_toast(owner_client: Any, acme: Any) -> None:
    team = make_team(acme, "Design")
    gone = team.pk
    team.delete()

    response = owner_client.post(f"/t/{acme.slug}/teams/{gone}/members/", **HTMX)

    assert response.status_code == 404
    assert "That is no longer here" in _told(response)


def test_a_refusal_nobody_caught_is_told_in_the_services_words(rf: Any) -> None:
    refusal = EscalationError("Only an owner can make someone an owner.")

    response = permission_denied(rf.post("/", **HTMX), refusal)

    assert response.status_code == 403
    assert _told(response) == "Only an owner can make someone an owner."


def test_the_same_refusals_are_pages_without_htmx(
    client: Any, acme: Any, member_of_acme: Any, owner: Any
) -> None:
    client.force_login(member_of_acme)
    owners = Membership.objects.get(tenant=acme, user=owner)

    response = client.post(f"/t/{acme.slug}/members/{owners.pk}/remove/")

    assert response.status_code == 403
    assert b"<html" in response.content and "HX-Trigger" not in response


def test_a_server_error_is_a_toast(rf: Any) -> None:
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.post("/", **HTMX))
    assert response.status_code == 500
    assert _told(response) == "Something went wrong on our side. Try again in a moment."


def test_an_outage_is_a_toast_with_retry_after(rf: Any) -> None:
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(rf.post("/", **HTMX))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Try again in a few seconds" in _told(response)


def test_a_stale_csrf_token_is_a_toast_for_someone_still_signed_in(
    acme: Any, owner: Any, member_of_acme: Any
) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    mia = Membership.objects.get(tenant=acme, user=member_of_acme)
    admin = Role.objects.get(tenant=acme, key="admin")

    response = browser.post(f"/t/{acme.slug}/members/{mia.pk}/role/", {"role": admin.pk}, **HTMX)

    assert response.status_code == 403
    assert _told(response) == "This page has expired. Reload it and try again."


def test_a_csrf_failure_after_signing_out_elsewhere_goes_to_sign_in(acme: Any) -> None:
    browser = Client(enforce_csrf_checks=True)  # the cookies were cleared by a sign-out

    response = browser.post(
        f"/t/{acme.slug}/members/leave/",
        HTTP_HX_CURRENT_URL=f"http://testserver/t/{acme.slug}/members/",
        **HTMX,
    )

    assert response["HX-Redirect"] == f"/auth/sign-in/?next=%2Ft%2F{acme.slug}%2Fmembers%2F"


def test_a_plan_limit_is_a_toast(rf: Any) -> None:
    limit = PlanLimitReached("Teams are not included in the Free plan.", upgrade_url="/b/")

    response = PlanLimitMiddleware(HttpResponse).process_exception(rf.post("/", **HTMX), limit)

    assert response is not None and response.status_code == 403
    assert _told(response) == "Teams are not included in the Free plan."
