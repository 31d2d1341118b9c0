"""The API keys page (/t/<slug>/settings/api-keys/), the API's docs page, its 404 and
its 500/503."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from api import selectors, services
from api.expiry import api_key_expires_soon
from api.forms import ApiKeyForm
from api.problems import TYPE_BASE, problem
from api.reference import PROBLEM_TYPES, TAG_HEADINGS, api_reference
from billing.decorators import plan_feature_required
from billing.plans import plan_feature_gate
from core.decorators import tenant_permission_required
from core.errors import run_action
from core.permissions import API_KEYS_MANAGE, permission_names
from core.request_id import current_request_id
from core.sent_once import sent_once
from core.types import TenantRequest
from core.views import tenant_context
from mfa.decorators import reauth_required


def _page(
    request: TenantRequest, form: ApiKeyForm | None = None, *, created: Any = None
) -> HttpResponse:
    tenant = request.tenant
    now = timezone.now()
    keys = list(selectors.api_key_list(tenant=tenant))
    selectors.api_key_creator_permissions(tenant=tenant, keys=keys)
    for key in keys:
        in_effect = selectors.permissions_in_effect(
            scopes=key.scopes, creator_permissions=key.creator_permissions
        )
        key.creator_gone = in_effect is None
        key.paused = not key.creator_gone and key.creator_needs_two_factor
        # What the key does now; a scope its creator's role lost is listed apart.
        shown = key.scopes if in_effect is None else in_effect
        key.permission_names = permission_names(shown)
        key.held_back_names = permission_names([code for code in key.scopes if code not in shown])
        key.usable = key.is_usable(now) and not key.creator_gone and not key.paused
        key.expires_soon = not key.creator_gone and api_key_expires_soon(key=key, now=now)
        key.in_reach = services.api_key_in_reach(
            key=key, actor=request.role, user_id=request.user.pk
        )
    # On a plan without API keys: what they do and the upgrade, instead of the form.
    gate = plan_feature_gate(tenant=tenant, feature="api_keys") if tenant.is_org else None
    if form is None and tenant.is_org and gate is None:
        form = ApiKeyForm(tenant=tenant, user=request.user, role=request.role)
    context = tenant_context(
        request, tab="api_keys", keys=keys, form=form, created=created, now=now, api_gate=gate
    )
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(request, "api/keys.html", context, status=status)


@require_GET
@tenant_permission_required(API_KEYS_MANAGE)
def key_list(request: TenantRequest) -> HttpResponse:
    return _page(request)


@require_POST
@tenant_permission_required(API_KEYS_MANAGE)
@plan_feature_required("api_keys")
@reauth_required
@sent_once(lambda request: reverse("api-keys:list", args=[request.tenant.slug]))
def key_create(request: TenantRequest) -> HttpResponse:
    """The new key is shown on this answer only (never stored, never redirected to)."""
    form = ApiKeyForm(request.POST, tenant=request.tenant, user=request.user, role=request.role)
    result = form.save() if form.is_valid() else None
    if result is None:
        return _page(request, form)
    key, raw = result
    return _page(request, created={"key": key, "raw": raw})


@require_POST
@tenant_permission_required(API_KEYS_MANAGE)
def key_revoke(request: TenantRequest, key_id: int) -> HttpResponse:
    key = selectors.api_key_get(tenant=request.tenant, key_id=key_id)
    run_action(
        request,
        lambda: services.api_key_revoke(
            tenant=request.tenant, key=key, acting_user=request.user, acting_role=request.role
        ),
        success=_("Revoked the key “%(name)s”. It stops working at once.") % {"name": key.name},
    )
    return redirect("api-keys:list", tenant_slug=request.tenant.slug)


@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    """The reference, rendered on the server from the OpenAPI schema the code produces."""
    info, operations, problem_fields = api_reference()
    tags = dict.fromkeys(op.tag for op in operations)
    groups = [
        (TAG_HEADINGS.get(tag, tag), [op for op in operations if op.tag == tag]) for tag in tags
    ]
    context = {
        "info": info,
        "groups": groups,
        "problem_fields": problem_fields,
        "problem_types": PROBLEM_TYPES,
        "problem_base": TYPE_BASE,
    }
    return render(request, "api/docs.html", context)


def not_found(request: HttpRequest) -> HttpResponse:
    """No operation at this path: a problem like every other API error, not the site's
    HTML 404 page (`config.views.page_not_found` sends every path under /api/ here)."""
    said = f"There is no operation at {request.path}."
    if request.path.endswith("/") and _operation_at(request.path.removesuffix("/")):
        # Every page of the site ends in "/", so a newcomer tries that first.
        said += f" Did you mean {request.path.removesuffix('/')} (no slash at the end)?"
    return problem(
        404, f"{said} The reference lists them all: {reverse('api-docs')}.", kind="not-found"
    )


def _operation_at(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.func is not not_found


def server_error(request: HttpRequest, *, unavailable: bool) -> HttpResponse:
    """handler500 under /api/ (`config.errors.server_error` decides which): a problem,
    not the site's HTML page. What failed stays in the log, never in the answer."""
    if unavailable:
        return problem(
            503, "A service this API needs is not answering just now. Retry in a few seconds."
        )
    # The id of the log lines that say what failed, for a client writing to support.
    return problem(
        500,
        "Something went wrong on our side. Try again in a moment.",
        request_id=current_request_id(),
    )
