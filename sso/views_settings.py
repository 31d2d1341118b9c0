"""/t/<slug>/settings/domains/ and /t/<slug>/settings/sso/: owners (sso.manage) verify
domains and set up the organisation's IdP. Changes need a recent authentication."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from billing.decorators import plan_feature_required
from billing.plans import plan_feature_gate
from core.decorators import tenant_permission_required
from core.errors import attempt, run_action
from core.permissions import SSO_MANAGE
from core.request_limits import accepts_body
from core.types import TenantRequest
from core.views import tenant_context
from mfa.decorators import reauth_required
from sso.exceptions import ConnectionRefused
from sso.forms import ConnectionForm, DomainForm, SamlConnectionForm
from sso.selectors import (
    connection_get,
    domain_get,
    domain_list,
    join_request_get,
    join_requests_open,
    saml_certificate_validity,
)
from sso.services_connections import connection_save
from sso.services_domains import domain_add, domain_remove, domain_verify
from sso.services_org import join_request_decide
from sso.services_saml import saml_connection_save, saml_metadata_refresh, saml_urls
from sso.views_org import org_leave


def _org_only(request: TenantRequest) -> None:
    if not request.tenant.is_org:
        raise Http404("Personal workspaces have no domains or single sign-on.")


def _domains_page(request: TenantRequest, *, form: DomainForm | None = None) -> HttpResponse:
    context = tenant_context(
        request,
        tab="domains",
        domains=domain_list(tenant=request.tenant),
        form=form or DomainForm(),
    )
    return render(request, "sso/domains.html", context, status=400 if form else 200)


@require_GET
@tenant_permission_required(SSO_MANAGE)
def domains(request: TenantRequest) -> HttpResponse:
    _org_only(request)
    return _domains_page(request)


@require_POST
@tenant_permission_required(SSO_MANAGE)
@reauth_required
def domain_create(request: TenantRequest) -> HttpResponse:
    _org_only(request)
    form = DomainForm(request.POST)
    if not form.is_valid():
        return _domains_page(request, form=form)
    outcome = attempt(
        lambda: domain_add(
            tenant=request.tenant, domain=form.cleaned_data["domain"], acting_user=request.user
        )
    )
    if outcome.error is not None or outcome.value is None:
        form.add_error("domain", outcome.error or _("That domain cannot be added."))
        return _domains_page(request, form=form)
    messages.success(
        request,
        _("Added %(domain)s. Publish the TXT record, then verify.")
        % {"domain": outcome.value.domain},
    )
    return redirect("sso_settings:domains", tenant_slug=request.tenant.slug)


def _domain(request: TenantRequest, domain_id: int) -> Any:
    _org_only(request)
    domain = domain_get(tenant=request.tenant, domain_id=domain_id)
    if domain is None:
        raise Http404("No such domain.")
    return domain


@require_POST
@tenant_permission_required(SSO_MANAGE)
def domain_check(request: TenantRequest, domain_id: int) -> HttpResponse:
    domain = _domain(request, domain_id)
    run_action(
        request,
        lambda: domain_verify(tenant=request.tenant, domain=domain, acting_user=request.user),
        success=_("%(domain)s is verified.") % {"domain": domain.domain},
    )
    return redirect("sso_settings:domains", tenant_slug=request.tenant.slug)


@require_POST
@tenant_permission_required(SSO_MANAGE)
@reauth_required
def domain_delete(request: TenantRequest, domain_id: int) -> HttpResponse:
    domain = _domain(request, domain_id)
    run_action(
        request,
        lambda: domain_remove(tenant=request.tenant, domain=domain, acting_user=request.user),
        success=_("%(domain)s is removed.") % {"domain": domain.domain},
    )
    return redirect("sso_settings:domains", tenant_slug=request.tenant.slug)


def _connection_page(
    request: TenantRequest,
    *,
    form: ConnectionForm | None = None,
    saml_form: SamlConnectionForm | None = None,
) -> HttpResponse:
    connection = connection_get(tenant=request.tenant)
    verified = [d for d in domain_list(tenant=request.tenant) if d.is_verified]
    context = tenant_context(
        request,
        tab="sso",
        # On a plan without SSO: what it does and the upgrade, instead of the forms.
        sso_gate=plan_feature_gate(tenant=request.tenant, feature="sso"),
        connection=connection,
        verified_domains=verified,
        join_requests=join_requests_open(tenant=request.tenant),
        form=form or ConnectionForm(tenant=request.tenant, connection=connection),
        saml_form=saml_form or SamlConnectionForm(tenant=request.tenant, connection=connection),
        saml_urls=saml_urls(request, tenant_id=request.tenant.pk),
        saml_certificate=saml_certificate_validity(connection=connection),
    )
    failed = form is not None or saml_form is not None
    return render(request, "sso/connection.html", context, status=400 if failed else 200)


@require_GET
@tenant_permission_required(SSO_MANAGE)
def connection(request: TenantRequest) -> HttpResponse:
    _org_only(request)
    return _connection_page(request)


@sensitive_post_parameters("client_secret")
@require_POST
@tenant_permission_required(SSO_MANAGE)
@plan_feature_required("sso")
@reauth_required
def connection_update(request: TenantRequest) -> HttpResponse:
    _org_only(request)
    current = connection_get(tenant=request.tenant)
    form = ConnectionForm(request.POST, tenant=request.tenant, connection=current)
    if not form.is_valid():
        return _connection_page(request, form=form)
    data = form.cleaned_data
    form.run(
        lambda: connection_save(
            tenant=request.tenant,
            acting_user=request.user,
            issuer=data["issuer"],
            client_id=data["client_id"],
            client_secret=data["client_secret"],
            scopes=data["scopes"],
            default_role=data["default_role"],
            require_sso=data["require_sso"],
            auto_join=data["auto_join"],
            join_requests=data["join_requests"],
            sync_teams_from_groups=data["sync_teams_from_groups"],
        )
    )
    if form.errors:
        return _connection_page(request, form=form)
    messages.success(request, _("The SSO connection is saved. Test it before you rely on it."))
    return redirect("sso_settings:connection", tenant_slug=request.tenant.slug)


@require_POST
# Its body is one metadata document and a few names: bigger is refused (413) before it is
# read, with the limit named on the page, rather than at Django's general 2.5 MB.
@accepts_body(setting="SSO_METADATA_MAX_BYTES")
@tenant_permission_required(SSO_MANAGE)
@plan_feature_required("sso")
@reauth_required
def connection_saml_update(request: TenantRequest) -> HttpResponse:
    _org_only(request)
    current = connection_get(tenant=request.tenant)
    form = SamlConnectionForm(
        request.POST, request.FILES, tenant=request.tenant, connection=current
    )
    if not form.is_valid():
        return _connection_page(request, saml_form=form)
    data = form.cleaned_data
    form.run(
        lambda: saml_connection_save(
            tenant=request.tenant,
            acting_user=request.user,
            idp_metadata=data["idp_metadata"],
            idp_metadata_url=data["idp_metadata_url"],
            default_role=data["default_role"],
            require_sso=data["require_sso"],
            auto_join=data["auto_join"],
            join_requests=data["join_requests"],
            allow_idp_initiated=data["allow_idp_initiated"],
            attr_email=data["attr_email"],
            attr_first_name=data["attr_first_name"],
            attr_last_name=data["attr_last_name"],
            attr_groups=data["attr_groups"],
            sync_teams_from_groups=data["sync_teams_from_groups"],
        )
    )
    if form.errors:
        return _connection_page(request, saml_form=form)
    messages.success(
        request, _("The SAML connection is saved. Sign in through it before you rely on it.")
    )
    return redirect("sso_settings:connection", tenant_slug=request.tenant.slug)


@require_POST
@tenant_permission_required(SSO_MANAGE)
@plan_feature_required("sso")
@reauth_required
def connection_saml_refresh(request: TenantRequest) -> HttpResponse:
    """Read the IdP's metadata again from its URL."""
    _org_only(request)
    run_action(
        request,
        lambda: saml_metadata_refresh(tenant=request.tenant, acting_user=request.user),
        success=_("The identity provider's metadata is refreshed from its URL."),
    )
    return redirect("sso_settings:connection", tenant_slug=request.tenant.slug)


@require_POST
@tenant_permission_required(SSO_MANAGE)
@plan_feature_required("sso")
@reauth_required
def connection_test(request: TenantRequest) -> HttpResponse:
    """A real round trip through the IdP; the callback shows what it returned."""
    _org_only(request)
    current = connection_get(tenant=request.tenant)
    if current is None:
        raise Http404("No SSO connection yet.")
    try:
        return org_leave(request, current, purpose="test", next_url="")
    except ConnectionRefused as error:
        messages.error(request, str(error))
        return redirect("sso_settings:connection", tenant_slug=request.tenant.slug)


@require_POST
@tenant_permission_required(SSO_MANAGE)
@reauth_required
def join_request_answer(request: TenantRequest, request_id: int, decision: str) -> HttpResponse:
    _org_only(request)
    join_request = join_request_get(tenant=request.tenant, request_id=request_id)
    if join_request is None or decision not in ("approve", "decline"):
        raise Http404("No such request.")
    approve = decision == "approve"
    run_action(
        request,
        lambda: join_request_decide(
            tenant=request.tenant,
            join_request=join_request,
            approve=approve,
            acting_user=request.user,
        ),
        success=(_("%(email)s joined.") if approve else _("%(email)s was declined."))
        % {"email": join_request.user.email},
    )
    return redirect("sso_settings:connection", tenant_slug=request.tenant.slug)
