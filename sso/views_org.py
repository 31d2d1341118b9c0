"""Email-first "Continue with SSO", the organisation IdP's callback, and the owner's
"Test connection" round trip (which shows what the IdP returned)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.cache_headers import never_cache
from core.same_site import same_site_path
from sso.exceptions import ConnectionRefused, SignInRefused
from sso.flow_cookie import FlowCookie
from sso.forms import SsoEmailForm
from sso.models import Connection
from sso.protocol import callback_check
from sso.selectors import connection_for_email, email_domain, org_connections_of
from sso.services_org import (
    org_authorization_start,
    org_claims_fetch,
    org_reauth_proven,
    org_sign_in,
)
from sso.views_saml import saml_leave

if TYPE_CHECKING:
    from core.types import AuthenticatedRequest

from sso.views_flow import (
    Factor,
    connection_test_result,
    flow_for,
    leave_for_provider,
    reauth_finish,
    refused,
    sign_in_finish,
)


def callback_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("sso:callback"))


def org_leave(
    request: HttpRequest, connection: Connection, *, purpose: str, next_url: str
) -> HttpResponse:
    """Off to the organisation's IdP, remembering why (sign-in, re-authentication or test)."""
    if connection.is_saml:
        return saml_leave(request, connection, purpose=purpose, next_url=next_url)
    url, flow = org_authorization_start(connection=connection, redirect_uri=callback_uri(request))
    user_id = request.user.pk if request.user.is_authenticated else None
    cookie = FlowCookie(
        flow=flow, purpose=purpose, source=str(connection.pk), next_url=next_url, user_id=user_id
    )
    return leave_for_provider(request, url, cookie)


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def sso_start(request: HttpRequest) -> HttpResponse:
    """Asks for the work email; a verified domain with SSO goes straight to its IdP."""
    next_url = same_site_path(request, request.POST.get("next") or request.GET.get("next") or "")
    form = SsoEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        connection = connection_for_email(email=email)
        if connection is None:
            form.add_error(
                "email",
                _(
                    "Single sign-on is not set up for %(domain)s. Sign in with your "
                    "password or another way instead."
                )
                % {"domain": email_domain(email)},
            )
        else:
            try:
                return org_leave(request, connection, purpose="org", next_url=next_url)
            except ConnectionRefused as error:
                form.add_error(None, str(error))
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    context = {"form": form, "next": next_url, "sign_in_url": reverse("accounts:sign-in") + query}
    return render(request, "sso/sso_start.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def org_reauth(request: AuthenticatedRequest, connection_id: int) -> HttpResponse:
    """ "Confirm with <org> SSO" on the re-authentication prompt."""
    connection = next(
        (c for c in org_connections_of(user=request.user) if c.pk == connection_id), None
    )
    if connection is None:
        raise Http404("No such connection.")
    next_url = same_site_path(request, request.POST.get("next", ""))
    try:
        return org_leave(request, connection, purpose="reauth", next_url=next_url)
    except ConnectionRefused as error:
        return refused(request, error)


@never_cache
@require_GET
def sso_callback(request: HttpRequest) -> HttpResponse:
    """Where every organisation's IdP sends the browser back."""
    cookie = flow_for(request, purposes={"org", "test", "reauth"})
    connection = None
    if cookie is not None:
        connection = (
            Connection.objects.select_related("tenant", "default_role")
            .filter(pk=int(cookie.source), tenant__deleted_at__isnull=True)
            .first()
        )
    try:
        flow = cookie.flow if cookie is not None and connection is not None else None
        code = callback_check(flow=flow, params=request.GET.dict())
        assert cookie is not None and connection is not None  # refused above otherwise
        claims = org_claims_fetch(
            connection=connection, code=code, flow=cookie.flow, redirect_uri=callback_uri(request)
        )
        if cookie.purpose == "test":
            return connection_test_result(
                request, connection=connection, user_id=cookie.user_id, claims=claims
            )
        if cookie.purpose == "reauth":
            proven = org_reauth_proven(connection=connection, user_id=cookie.user_id, claims=claims)
            return reauth_finish(
                request, user_id=cookie.user_id, next_url=cookie.next_url, proven=proven
            )
        user = org_sign_in(connection=connection, claims=claims)
    except (SignInRefused, ConnectionRefused) as error:
        return refused(request, error)
    next_url = cookie.next_url or reverse(
        "tenant:dashboard", kwargs={"tenant_slug": connection.tenant.slug}
    )
    # The IdP is the organisation's authority on how its people authenticate.
    return sign_in_finish(request, user, factor=Factor.SSO, next_url=next_url, second_step=False)
