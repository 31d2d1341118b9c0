"""SAML 2.0: the SP metadata an owner pastes into the IdP, the Assertion Consumer
Service the IdP POSTs the signed Response to (sso.saml says what is verified), and the
finish view where a re-authentication or a "Test connection" ends, and the page where
a sign-in started at the IdP is confirmed.

Why a finish view: the session cookie is SameSite=Lax, so the IdP's cross-site POST
reaches the ACS without it. A sign-in needs no session (it makes one); a
re-authentication and a test are about the session's user. The ACS verifies the
Response exactly as for a sign-in, keeps the outcome for a minute (single use, named by
a cookie only this browser has, bound to the session that started it), and redirects;
the top-level GET that follows carries the session cookie again.

Why a confirmation: a Response nobody here asked for (IdP-initiated) proves only that
the IdP vouches for someone, not that this browser's person wants to be them. Posted
from any page by an organisation whose IdP signs for its own account, it would sign the
visitor in as that account (login CSRF), replacing their own session. So it is kept
like a handed-over outcome, and only "Continue" on our page (a same-site POST with
the CSRF token; framing is denied) signs in."""

from __future__ import annotations

import hmac
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.cache_headers import never_cache
from core.same_site import same_site_path
from core.security_log import security_event
from sso.exceptions import ConnectionRefused, SignInRefused
from sso.flow_cookie import (
    SamlRequest,
    saml_finish_cookie_clear,
    saml_finish_cookie_load,
    saml_finish_cookie_set,
    saml_request_cookie_clear,
    saml_request_cookie_load,
    session_binding,
)
from sso.models import Connection
from sso.saml import REQUEST_LIFETIME, authn_request, response_verify, sp_metadata_xml
from sso.services_org import (
    org_email_vouched,
    org_reauth_proven,
    org_sign_in,
    org_sign_in_account,
)
from sso.services_saml import (
    CONFIRM_LIFETIME,
    OUTCOME_LIFETIME,
    saml_claims,
    saml_data,
    saml_outcome_keep,
    saml_outcome_peek,
    saml_outcome_take,
    saml_urls,
)
from sso.views_flow import (
    Factor,
    connection_test_result,
    leave_for_provider_saml,
    reauth_finish,
    refused,
    sign_in_finish,
)

# What the ACS hands over to the finish view instead of signing in.
HANDED_OVER = frozenset({"reauth", "test"})
# A sign-in started at the IdP, kept for its confirmation page.
IDP_INITIATED = "idp"


def _saml_connection(tenant_id: int) -> Connection:
    connection = (
        Connection.objects.select_related("tenant", "default_role")
        .filter(
            tenant_id=tenant_id, protocol=Connection.Protocol.SAML, tenant__deleted_at__isnull=True
        )
        .first()
    )
    if connection is None:
        raise Http404("No such SAML connection.")
    return connection


@require_GET
def saml_metadata(request: HttpRequest, tenant_id: int) -> HttpResponse:
    connection = _saml_connection(tenant_id)
    try:
        xml = sp_metadata_xml(
            data=saml_data(connection), urls=saml_urls(request, tenant_id=connection.tenant_id)
        )
    except ConnectionRefused as error:  # the server cannot speak SAML (no xmlsec1)
        return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse(xml, content_type="application/samlmetadata+xml; charset=utf-8")


def saml_leave(
    request: HttpRequest, connection: Connection, *, purpose: str, next_url: str
) -> HttpResponse:
    """Off to the IdP with an AuthnRequest. A sign-in's `next_url` travels as RelayState;
    a re-authentication's or a test's stays in the signed request cookie, with who
    started it and their session's binding (the IdP's RelayState is not trusted there)."""
    handed_over = purpose in HANDED_OVER
    url, request_id = authn_request(
        data=saml_data(connection),
        urls=saml_urls(request, tenant_id=connection.tenant_id),
        relay_state="" if handed_over else next_url,
    )
    value = SamlRequest(request_id=request_id)
    if handed_over:
        value = SamlRequest(
            request_id=request_id,
            purpose=purpose,
            user_id=request.user.pk if request.user.is_authenticated else None,
            session=session_binding(request),
            next_url=next_url,
        )
    return leave_for_provider_saml(
        request, url, value=value, connection_id=connection.pk, max_age=REQUEST_LIFETIME
    )


@csrf_exempt  # the IdP's auto-submitted form comes from its origin; the signature is the proof
@never_cache
@require_POST
def saml_acs(request: HttpRequest, tenant_id: int) -> HttpResponse:
    connection = _saml_connection(tenant_id)
    relay_state = request.POST.get("RelayState", "")
    started = saml_request_cookie_load(
        request, connection_id=connection.pk, max_age=REQUEST_LIFETIME
    )
    try:
        next_url = same_site_path(request, relay_state)
        if relay_state and not next_url:
            raise SignInRefused(_("The identity provider asked to send you to another site."))
        verified = response_verify(
            data=saml_data(connection),
            urls=saml_urls(request, tenant_id=connection.tenant_id),
            saml_response=request.POST.get("SAMLResponse", ""),
            browser_request_id=started.request_id if started else "",
        )
        # Only a Response to this browser's request is a re-authentication or a test
        # (response_verify matched the two); an IdP-initiated one is a sign-in, to be
        # confirmed on our page first (the module's docstring says why).
        if not verified["in_response_to"]:
            response = _confirm_first(connection, verified, next_url=next_url)
        elif started is not None and started.purpose in HANDED_OVER:
            response = _hand_over(connection, started, verified)
        else:
            user = org_sign_in(
                connection=connection, claims=saml_claims(connection=connection, verified=verified)
            )
            next_url = next_url or reverse(
                "tenant:dashboard", kwargs={"tenant_slug": connection.tenant.slug}
            )
            # The IdP is the organisation's authority on how its people authenticate.
            response = sign_in_finish(
                request, user, factor=Factor.SSO, next_url=next_url, second_step=False
            )
    except SignInRefused as error:
        response = refused(request, error)
    saml_request_cookie_clear(response)  # single use, whatever the answer
    return response


def _hand_over(
    connection: Connection, started: SamlRequest, verified: dict[str, Any]
) -> HttpResponse:
    """Keep the verified outcome and send the browser on to the finish view (a GET
    on this site, which carries the session cookie); nobody is signed in here."""
    token = saml_outcome_keep(
        connection=connection,
        purpose=started.purpose,
        user_id=started.user_id,
        session=started.session,
        next_url=started.next_url,
        verified=verified,
    )
    response = HttpResponseRedirect(
        reverse("sso:saml-finish", kwargs={"tenant_id": connection.tenant_id})
    )
    saml_finish_cookie_set(
        response, token=token, connection_id=connection.pk, max_age=OUTCOME_LIFETIME
    )
    return response


def _confirm_first(
    connection: Connection, verified: dict[str, Any], *, next_url: str
) -> HttpResponse:
    """Keep an IdP-initiated sign-in for its confirmation page; nobody is signed in here.
    The address is checked now, so the page never offers one the IdP cannot vouch for."""
    org_email_vouched(
        connection=connection, claims=saml_claims(connection=connection, verified=verified)
    )
    token = saml_outcome_keep(
        connection=connection,
        purpose=IDP_INITIATED,
        user_id=None,
        session="",
        next_url=next_url,
        verified=verified,
        lifetime=CONFIRM_LIFETIME,
    )
    response = HttpResponseRedirect(
        reverse("sso:saml-continue", kwargs={"tenant_id": connection.tenant_id})
    )
    saml_finish_cookie_set(
        response,
        token=token,
        connection_id=connection.pk,
        max_age=CONFIRM_LIFETIME,
        kind="continue",
    )
    return response


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def saml_continue(request: HttpRequest, tenant_id: int) -> HttpResponse:
    """A sign-in started at the IdP: GET asks "Continue to <org> as <email>?" naming the
    account Continue signs in; only the POST (this browser's cookie names the outcome,
    taken once) signs in, or, with "It wasn't me", forgets it."""
    connection = _saml_connection(tenant_id)
    token = saml_finish_cookie_load(
        request, connection_id=connection.pk, max_age=CONFIRM_LIFETIME, kind="continue"
    )
    fetch = saml_outcome_peek if request.method == "GET" else saml_outcome_take
    outcome = fetch(token=token, connection=connection)
    try:
        if outcome is None or outcome.purpose != IDP_INITIATED:
            security_event("sso.saml_continue_unknown", connection=connection.pk)
            raise SignInRefused(_("This confirmation expired or was already used. Start again."))
        if not connection.saml_allow_idp_initiated:
            # Turned off since the Response came (an owner who saw it abused).
            raise SignInRefused(
                _("This organisation no longer accepts sign-ins started at its identity provider.")
            )
        if request.method == "POST" and "decline" in request.POST:
            security_event("sso.saml_continue_declined", connection=connection.pk)
            messages.info(request, _("Nothing was signed in."))
            home = redirect("home")
            saml_finish_cookie_clear(home, kind="continue")
            return home
        if request.method == "GET":
            account = org_sign_in_account(connection=connection, claims=outcome.claims)
            email = account.email if account else str(outcome.claims.get("email") or "")
            user = request.user
            context = {
                "organisation": connection.tenant.name,
                "email": email,
                # Continuing replaces a session of someone else: say so.
                "signed_in_as": user.email
                if user.is_authenticated and (account is None or account.pk != user.pk)
                else "",
            }
            return render(request, "sso/saml_continue.html", context)
        user = org_sign_in(connection=connection, claims=outcome.claims)
        next_url = outcome.next_url or reverse(
            "tenant:dashboard", kwargs={"tenant_slug": connection.tenant.slug}
        )
        # The IdP is the organisation's authority on how its people authenticate.
        response = sign_in_finish(
            request, user, factor=Factor.SSO, next_url=next_url, second_step=False
        )
    except SignInRefused as error:
        response = refused(request, error)
    saml_finish_cookie_clear(response, kind="continue")  # single use, whatever the answer
    return response


@never_cache
@require_GET
def saml_finish(request: HttpRequest, tenant_id: int) -> HttpResponse:
    """A SAML re-authentication or test, completed where the session is known: the
    outcome is taken once, and only by the session (and user) that started it."""
    connection = _saml_connection(tenant_id)
    token = saml_finish_cookie_load(request, connection_id=connection.pk, max_age=OUTCOME_LIFETIME)
    outcome = saml_outcome_take(token=token, connection=connection)
    try:
        if outcome is None:
            security_event("sso.saml_finish_unknown", connection=connection.pk)
            raise SignInRefused(_("This confirmation expired or was already used. Start again."))
        same_session = request.user.is_authenticated and hmac.compare_digest(
            outcome.session.encode(), session_binding(request).encode()
        )
        if not outcome.session or not same_session or request.user.pk != outcome.user_id:
            security_event("sso.saml_finish_other_session", connection=connection.pk)
            raise SignInRefused(
                _("This confirmation was started in another browser or session. Start again.")
            )
        if outcome.purpose == "test":
            response = connection_test_result(
                request,
                connection=connection,
                user_id=outcome.user_id,
                claims=outcome.claims,
                attributes=outcome.attributes,
            )
        else:
            proven = org_reauth_proven(
                connection=connection, user_id=outcome.user_id, claims=outcome.claims
            )
            if not proven:
                security_event("sso.saml_reauth_other_identity", connection=connection.pk)
            response = reauth_finish(
                request, user_id=outcome.user_id, next_url=outcome.next_url, proven=proven
            )
    except SignInRefused as error:
        response = refused(request, error)
    saml_finish_cookie_clear(response)  # single use, whatever the answer
    return response
