"""What the social and organisation callbacks share: leaving for the provider with
the flow cookie, reading it back, the refusal page and finishing a sign-in."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.http import session_sign_in
from accounts.models import User
from core.exceptions import refusal_message
from core.members import members_who_can_act
from core.permissions import SSO_MANAGE
from mfa.pending import pending_sign_in_start
from mfa.selectors import second_step_required
from sessions_app.authentication import Factor, session_authenticated, session_reauthenticated
from sso.exceptions import SignInRefused
from sso.flow_cookie import (
    FlowCookie,
    SamlRequest,
    flow_cookie_clear,
    flow_cookie_load,
    flow_cookie_set,
    saml_request_cookie_set,
)
from sso.models import Connection
from sso.selectors import connection_for_email
from sso.services_connections import connection_tested
from sso.services_groups import asserted_groups, groups_map
from tenants.models import Membership


def leave_for_provider(request: HttpRequest, url: str, cookie: FlowCookie) -> HttpResponse:
    """A page that moves on to the provider at once (Refresh header, and a link).

    Not a redirect: the buttons are POST forms, and Chrome applies the page's CSP
    form-action to a redirect that follows a form post, so a 302 to an IdP's origin
    (unknown in advance for organisations) would be blocked. A Refresh is a plain
    navigation of the new page."""
    response = render(request, "sso/leaving.html", {"url": url, "host": urlsplit(url).netloc})
    response["Refresh"] = f"0;url={url}"
    response["Referrer-Policy"] = "no-referrer"
    flow_cookie_set(response, cookie)
    return response


def leave_for_provider_saml(
    request: HttpRequest, url: str, *, value: SamlRequest, connection_id: int, max_age: int
) -> HttpResponse:
    """As leave_for_provider, with the SAML request cookie instead of the flow cookie:
    the Response comes back as a cross-site POST (sso.flow_cookie says how the cookie
    reaches it). The request id is also kept server-side, to be used once (sso.saml)."""
    response = render(request, "sso/leaving.html", {"url": url, "host": urlsplit(url).netloc})
    response["Refresh"] = f"0;url={url}"
    response["Referrer-Policy"] = "no-referrer"
    saml_request_cookie_set(response, connection_id=connection_id, value=value, max_age=max_age)
    return response


def flow_for(
    request: HttpRequest, *, purposes: set[str], source: str | None = None
) -> FlowCookie | None:
    """This browser's flow when it is one of `purposes` (and from `source`), else None."""
    cookie = flow_cookie_load(request)
    if cookie is None or cookie.purpose not in purposes:
        return None
    if source is not None and cookie.source != source:
        return None
    return cookie


def refused(request: HttpRequest, error: Exception, *, status: int = 400) -> HttpResponse:
    """The page a refused sign-in lands on: the reason, and the way back."""
    context = {"message": refusal_message(error)}
    response = render(request, "sso/refused.html", context, status=status)
    flow_cookie_clear(response)
    return response


def sign_in_finish(
    request: HttpRequest, user: User, *, factor: str, next_url: str, second_step: bool = True
) -> HttpResponse:
    """Sign `user` in (or hold it for the second step), clear the flow, go on."""
    destination = next_url or reverse(settings.LOGIN_REDIRECT_URL)
    if second_step and second_step_required(user=user):
        response = HttpResponseRedirect(reverse("accounts:sign-in-verify"))
        pending_sign_in_start(request, response, user=user, next_url=next_url, first_factor=factor)
    else:
        session_sign_in(request, user)
        session_authenticated(request.session, factors=[factor])
        response = HttpResponseRedirect(destination)
    flow_cookie_clear(response)
    return response


def reauth_finish(
    request: HttpRequest, *, user_id: int | None, next_url: str, proven: bool
) -> HttpResponse:
    """The provider vouched for the signed-in person again: a fresh authentication.
    `user_id` is who started it; `proven` says the provider named that same person."""
    if not proven or not request.user.is_authenticated or request.user.pk != user_id:
        raise SignInRefused(_("That account is not the one connected to you. Try again."))
    session_reauthenticated(request.session)
    response = HttpResponseRedirect(next_url or reverse("mfa:security"))
    flow_cookie_clear(response)
    return response


def _may_test(request: HttpRequest, *, user_id: int | None, connection: Connection) -> bool:
    """Who started the test, still a member who can act (not suspended by the directory,
    not deactivated by staff: `members_who_can_act`) and still managing SSO."""
    if not request.user.is_authenticated or request.user.pk != user_id:
        return False
    membership = (
        Membership.objects.for_tenant(connection.tenant)
        .select_related("role")
        .filter(members_who_can_act(), user=request.user)
        .first()
    )
    return membership is not None and membership.role.has_permission(SSO_MANAGE)


def connection_test_result(
    request: HttpRequest,
    *,
    connection: Connection,
    user_id: int | None,
    claims: dict[str, Any],
    attributes: dict[str, list[str]] | None = None,
) -> HttpResponse:
    """The "Test connection" round trip came back: what the IdP sent (OIDC: the ID token's claims;
    SAML: the assertion's attributes and what the mapping made of them), shown to the
    person who started the test, who must still manage SSO. Nobody is signed in."""
    if not _may_test(request, user_id=user_id, connection=connection):
        raise SignInRefused(_("Only the person who started the test can see its result."))
    connection_tested(connection=connection, acting_user=request.user, claims=claims)  # type: ignore[arg-type]
    email = str(claims.get("email") or "")
    groups = asserted_groups(claims)
    context = {
        "connection": connection,
        "groups_left_out": groups is None,
        "group_rows": groups_map(connection=connection, groups=groups or []).rows,
        "tenant": connection.tenant,
        "claims": sorted((k, v) for k, v in claims.items()),
        "attributes": sorted(attributes.items()) if attributes is not None else None,
        "email": email,
        "domain_ok": bool(email)
        and (found := connection_for_email(email=email)) is not None
        and found.pk == connection.pk,
    }
    response = render(request, "sso/test_result.html", context)
    flow_cookie_clear(response)
    return response


__all__ = [
    "Factor",
    "connection_test_result",
    "flow_for",
    "leave_for_provider",
    "reauth_finish",
    "refused",
    "sign_in_finish",
]
