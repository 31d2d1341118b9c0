"""SAML 2.0: the SP metadata an owner pastes into the IdP, and the Assertion Consumer
Service the IdP POSTs the signed Response to (sso.saml says what is verified)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.http import same_site_path
from sso.exceptions import SignInRefused
from sso.flow_cookie import saml_request_cookie_clear, saml_request_cookie_load
from sso.models import Connection
from sso.saml import REQUEST_LIFETIME, authn_request, response_verify, sp_metadata_xml
from sso.services_org import org_sign_in
from sso.services_saml import saml_claims, saml_data, saml_urls
from sso.views_flow import Factor, leave_for_provider_saml, refused, sign_in_finish


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
    xml = sp_metadata_xml(
        data=saml_data(connection), urls=saml_urls(request, tenant_id=connection.tenant_id)
    )
    return HttpResponse(xml, content_type="application/samlmetadata+xml; charset=utf-8")


def saml_leave(request: HttpRequest, connection: Connection, *, next_url: str) -> HttpResponse:
    """Off to the IdP with an AuthnRequest; `next_url` travels as RelayState."""
    url, request_id = authn_request(
        data=saml_data(connection),
        urls=saml_urls(request, tenant_id=connection.tenant_id),
        relay_state=next_url,
    )
    return leave_for_provider_saml(
        request, url, request_id=request_id, connection_id=connection.pk, max_age=REQUEST_LIFETIME
    )


@csrf_exempt  # the IdP's auto-submitted form comes from its origin; the signature is the proof
@never_cache
@require_POST
def saml_acs(request: HttpRequest, tenant_id: int) -> HttpResponse:
    connection = _saml_connection(tenant_id)
    relay_state = request.POST.get("RelayState", "")
    browser_request_id = saml_request_cookie_load(
        request, connection_id=connection.pk, max_age=REQUEST_LIFETIME
    )
    try:
        next_url = same_site_path(relay_state, request)
        if relay_state and not next_url:
            raise SignInRefused(_("The identity provider asked to send you to another site."))
        verified = response_verify(
            data=saml_data(connection),
            urls=saml_urls(request, tenant_id=connection.tenant_id),
            saml_response=request.POST.get("SAMLResponse", ""),
            browser_request_id=browser_request_id,
        )
        user = org_sign_in(
            connection=connection, claims=saml_claims(connection=connection, verified=verified)
        )
    except SignInRefused as error:
        response = refused(request, error)
    else:
        next_url = next_url or reverse(
            "tenant:dashboard", kwargs={"tenant_slug": connection.tenant.slug}
        )
        # The IdP is the organisation's authority on how its people authenticate.
        response = sign_in_finish(
            request, user, factor=Factor.SSO, next_url=next_url, second_step=False
        )
    saml_request_cookie_clear(response)  # single use, whatever the answer
    return response
