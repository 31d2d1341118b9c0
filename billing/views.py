"""Billing pages under /t/<slug>/billing/ and the Stripe webhook endpoint."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import verified_email_required
from billing import services
from billing.backends import billing_backend
from billing.exceptions import BillingPortalDenied
from billing.local_portal import (
    local_portal_act,
    local_portal_view_get,
    local_subscription_get,
)
from billing.plans import plan_for_account
from billing.selectors import account_may_manage, account_tenant_get, billing_overview_get
from billing.webhooks import stripe_event_receive
from core.decorators import tenant_permission_required
from core.errors import run_action
from core.permissions import BILLING_MANAGE
from core.types import TenantRequest
from core.views import tenant_context
from mfa.decorators import reauth_required

if TYPE_CHECKING:
    from tenants.models import Tenant


def _overview_url(request: TenantRequest) -> str:
    return reverse("billing:overview", kwargs={"tenant_slug": request.tenant.slug})


@require_GET
@tenant_permission_required(BILLING_MANAGE)
def overview(request: TenantRequest) -> HttpResponse:
    context = tenant_context(
        request,
        tab="billing",
        billing=billing_overview_get(tenant=request.tenant, user=request.user),
    )
    return render(request, "billing/overview.html", context)


@require_POST
@tenant_permission_required(BILLING_MANAGE)
@verified_email_required
def checkout(request: TenantRequest) -> HttpResponse:
    slug = request.tenant.slug
    success = request.build_absolute_uri(reverse("billing:success", kwargs={"tenant_slug": slug}))
    outcome = run_action(
        request,
        lambda: services.checkout_start(
            tenant=request.tenant,
            plan_key=request.POST.get("plan", ""),
            acting_user=request.user,
            # Stripe fills in the placeholder; it must stay unencoded.
            success_url=f"{success}?session_id={{CHECKOUT_SESSION_ID}}",
            cancel_url=request.build_absolute_uri(
                reverse("billing:cancel", kwargs={"tenant_slug": slug})
            ),
        ),
    )
    return _to_provider(request, outcome.value)


@require_POST
@tenant_permission_required(BILLING_MANAGE)
@reauth_required
def portal(request: TenantRequest) -> HttpResponse:
    outcome = run_action(
        request,
        lambda: services.portal_start(
            account=request.tenant.account,
            return_url=request.build_absolute_uri(_overview_url(request)),
            acting_user=request.user,
        ),
    )
    return _to_provider(request, outcome.value)


def _to_provider(request: TenantRequest, url: str | None) -> HttpResponse:
    """To the provider's page; back to the billing page when it was refused (flashed)."""
    if url is None:
        return redirect(_overview_url(request))
    return HttpResponseRedirect(url, status=303)


@require_GET
@tenant_permission_required(BILLING_MANAGE)
def portal_local(request: TenantRequest) -> HttpResponse:
    """The local backend's billing portal; with any other backend there is none, and
    the billing page is where "Manage billing" starts."""
    account = request.tenant.account
    if not billing_backend().has_local_portal:
        return redirect(_overview_url(request))
    if not account_may_manage(account=account, user=request.user):
        raise BillingPortalDenied(
            _("Only the billing managers of this account can open its portal.")
        )
    subscription = local_subscription_get(account=account)
    context = tenant_context(
        request,
        tab="billing",
        account=account,
        subscription=subscription,
        portal=local_portal_view_get(account=account, subscription=subscription),
    )
    return render(request, "billing/local_portal.html", context)


@require_POST
@tenant_permission_required(BILLING_MANAGE)
@reauth_required
def portal_local_act(request: TenantRequest) -> HttpResponse:
    outcome = run_action(
        request,
        lambda: local_portal_act(
            account=request.tenant.account,
            acting_user=request.user,
            action=request.POST.get("action", ""),
            plan_key=request.POST.get("plan", ""),
        ),
    )
    if outcome.value:
        messages.success(request, outcome.value)
    return redirect(reverse("billing:local-portal", kwargs={"tenant_slug": request.tenant.slug}))


@require_GET
@tenant_permission_required(BILLING_MANAGE)
def success(request: TenantRequest) -> HttpResponse:
    account = request.tenant.account
    session_id = request.GET.get("session_id", "")
    confirmed = False
    if session_id:
        outcome = run_action(
            request,
            lambda: services.checkout_confirm(
                account=account, session_id=session_id, acting_user=request.user
            ),
        )
        if not outcome.ok:
            return redirect(_overview_url(request))
        confirmed = bool(outcome.value)
        account.refresh_from_db()
    return render(
        request,
        "billing/success.html",
        {"plan": plan_for_account(account), "confirmed": confirmed, "account": account},
    )


@require_GET
@tenant_permission_required(BILLING_MANAGE)
def cancel(request: TenantRequest) -> HttpResponse:
    return render(request, "billing/cancel.html")


@require_POST
@tenant_permission_required(BILLING_MANAGE)
def detach(request: TenantRequest) -> HttpResponse:
    """This workspace stops using the account of the workspace that pays for it."""
    return _detach(request, request.tenant)


@require_POST
@tenant_permission_required(BILLING_MANAGE)
def tenant_detach(request: TenantRequest, tenant_id: int) -> HttpResponse:
    """The account's home stops paying for another workspace (404 unless it pays for it)."""
    other = account_tenant_get(account=request.tenant.account, tenant_id=tenant_id)
    return _detach(request, other)


def _detach(request: TenantRequest, tenant: Tenant) -> HttpResponse:
    run_action(
        request,
        lambda: services.account_tenant_detach(tenant=tenant, acting_user=request.user),
        success=_("%(name)s now has a billing account of its own, on the Free plan.")
        % {"name": tenant.name},
    )
    return redirect(_overview_url(request))


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe calls this; it authenticates by signature, so no CSRF token (nor session)."""
    event = stripe_event_receive(
        payload=request.body, signature=request.headers.get("Stripe-Signature", "")
    )
    if not event.signature_valid:
        return HttpResponse(event.error, status=400, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
