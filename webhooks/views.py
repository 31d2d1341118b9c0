"""Webhook pages under /t/<slug>/settings/webhooks/: endpoints, editing them, their
delivery log and each delivery in full, secret rotation, pausing, test events and
resending."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.decorators import tenant_permission_required
from core.errors import run_action
from core.permissions import WEBHOOKS_MANAGE
from core.sent_once import sent_once
from core.types import TenantRequest
from core.views import tenant_context
from mfa.decorators import reauth_required
from ratelimit.decorators import consume_or_429
from webhooks import selectors, services
from webhooks.events import TEST_EVENT
from webhooks.forms import EndpointEditForm, EndpointForm
from webhooks.models import Endpoint


def _list_page(
    request: TenantRequest, form: EndpointForm | None = None, created: Any = None
) -> HttpResponse:
    tenant = request.tenant
    if form is None and tenant.is_org:
        form = EndpointForm(tenant=tenant, user=request.user)
    context = tenant_context(
        request,
        tab="webhooks",
        endpoints=list(selectors.endpoint_list(tenant=tenant)),
        form=form,
        created=created,
    )
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(request, "webhooks/list.html", context, status=status)


@require_GET
@tenant_permission_required(WEBHOOKS_MANAGE)
def endpoint_list(request: TenantRequest) -> HttpResponse:
    return _list_page(request)


@require_POST
@tenant_permission_required(WEBHOOKS_MANAGE)
@reauth_required
@sent_once(lambda request: reverse("webhooks:list", args=[request.tenant.slug]))
def endpoint_create(request: TenantRequest) -> HttpResponse:
    """The signing secret is shown on this answer only."""
    form = EndpointForm(request.POST, tenant=request.tenant, user=request.user)
    result = form.save() if form.is_valid() else None
    if result is None:
        return _list_page(request, form)
    endpoint, secret = result
    return _list_page(request, created={"endpoint": endpoint, "secret": secret})


def _detail_page(request: TenantRequest, endpoint: Endpoint, secret: str = "") -> HttpResponse:
    context = tenant_context(
        request,
        tab="webhooks",
        endpoint=endpoint,
        deliveries=selectors.delivery_log(endpoint=endpoint),
        new_secret=secret,
        test_event=TEST_EVENT,
    )
    return render(request, "webhooks/detail.html", context)


@require_GET
@tenant_permission_required(WEBHOOKS_MANAGE)
def endpoint_detail(request: TenantRequest, endpoint_id: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(tenant=request.tenant, endpoint_id=endpoint_id)
    return _detail_page(request, endpoint)


def _edit_page(request: TenantRequest, endpoint: Endpoint, form: EndpointEditForm) -> HttpResponse:
    context = tenant_context(request, tab="webhooks", endpoint=endpoint, form=form)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "webhooks/edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@tenant_permission_required(WEBHOOKS_MANAGE)
def endpoint_edit(request: TenantRequest, endpoint_id: int) -> HttpResponse:
    """GET: the form, filled with the endpoint as it is; POST: save it."""
    if request.method == "POST":
        return _endpoint_save(request, endpoint_id)
    endpoint = selectors.endpoint_get(tenant=request.tenant, endpoint_id=endpoint_id)
    form = EndpointEditForm(tenant=request.tenant, user=request.user, endpoint=endpoint)
    return _edit_page(request, endpoint, form)


@reauth_required
def _endpoint_save(request: TenantRequest, endpoint_id: int) -> HttpResponse:
    """Asks for a recent authentication, as adding an endpoint does: a new URL sends the
    organisation's events somewhere else. The typed form survives the prompt."""
    endpoint = selectors.endpoint_get(tenant=request.tenant, endpoint_id=endpoint_id)
    old_url = endpoint.url
    form = EndpointEditForm(
        request.POST, tenant=request.tenant, user=request.user, endpoint=endpoint
    )
    if not form.is_valid() or form.save() is None:
        return _edit_page(request, endpoint, form)  # refused: the endpoint is as it was
    if endpoint.url != old_url and not endpoint.is_active:
        messages.success(
            request,
            _("Saved. The endpoint is still off: turn it back on to send to the new URL."),
        )
    else:
        messages.success(request, _("Endpoint saved."))
    return _back_to_detail(request, endpoint)


@require_POST
@tenant_permission_required(WEBHOOKS_MANAGE)
@reauth_required
@sent_once(
    lambda request, endpoint_id: reverse("webhooks:detail", args=[request.tenant.slug, endpoint_id])
)
def endpoint_rotate(request: TenantRequest, endpoint_id: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(tenant=request.tenant, endpoint_id=endpoint_id)
    secret = services.endpoint_secret_rotate(
        tenant=request.tenant, endpoint=endpoint, acting_user=request.user
    )
    return _detail_page(request, endpoint, secret)


@require_POST
@tenant_permission_required(WEBHOOKS_MANAGE)
def endpoint_enable(request: TenantRequest, endpoint_id: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(tenant=request.tenant, endpoint_id=endpoint_id)
    run_action(
        request,
        lambda: services.endpoint_enable(
            tenant=request.tenant, endpoint=endpoint, acting_user=request.user
        ),
        success=_("The endpoint is on again."),
    )
    return redirect("webhooks:detail", tenant_slug=request.tenant.slug, endpoint_id=endpoint.pk)


def _back_to_detail(request: TenantRequest, endpoint: Endpoint) -> HttpResponse:
    return redirect("webhooks:detail", tenant_slug=request.tenant.slug, endpoint_id=endpoint.pk)


@require_POST
@tenant_permission_required(WEBHOOKS_MANAGE)
def endpoint_pause(request: TenantRequest, endpoint_id: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(tenant=request.tenant, endpoint_id=endpoint_id)
    run_action(
        request,
        lambda: services.endpoint_pause(
            tenant=request.tenant, endpoint=endpoint, acting_user=request.user
        ),
        success=_("Paused: events from now on are not sent to this endpoint."),
    )
    return _back_to_detail(request, endpoint)


@require_POST
@tenant_permission_required(WEBHOOKS_MANAGE)
def endpoint_resume(request: TenantRequest, endpoint_id: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(tenant=request.tenant, endpoint_id=endpoint_id)
    run_action(
        request,
        lambda: services.endpoint_resume(
            tenant=request.tenant, endpoint=endpoint, acting_user=request.user
        ),
        success=_("Resumed: new events are sent to this endpoint again."),
    )
    return _back_to_detail(request, endpoint)


@require_POST
@tenant_permission_required(WEBHOOKS_MANAGE)
def endpoint_test(request: TenantRequest, endpoint_id: int) -> HttpResponse:
    """The outcome shows in the delivery log, like any delivery's."""
    endpoint = selectors.endpoint_get(tenant=request.tenant, endpoint_id=endpoint_id)
    if refused := consume_or_429(request, tier="webhook-test", key=f"endpoint-{endpoint.pk}"):
        return refused
    run_action(
        request,
        lambda: services.endpoint_test_send(
            tenant=request.tenant, endpoint=endpoint, acting_user=request.user
        ),
        success=_("Test event sent: the delivery log shows the answer."),
    )
    return _back_to_detail(request, endpoint)


@require_POST
@tenant_permission_required(WEBHOOKS_MANAGE)
def endpoint_delete(request: TenantRequest, endpoint_id: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(tenant=request.tenant, endpoint_id=endpoint_id)
    services.endpoint_delete(tenant=request.tenant, endpoint=endpoint, acting_user=request.user)
    messages.success(request, _("Removed the endpoint %(url)s.") % {"url": endpoint.url})
    return redirect("webhooks:list", tenant_slug=request.tenant.slug)


@require_GET
@tenant_permission_required(WEBHOOKS_MANAGE)
def delivery_detail(request: TenantRequest, endpoint_id: int, delivery_id: int) -> HttpResponse:
    """What was sent and what came back, in full: the log shows a line of each."""
    endpoint = selectors.endpoint_get(tenant=request.tenant, endpoint_id=endpoint_id)
    delivery = selectors.delivery_with_attempts(
        tenant=request.tenant, endpoint=endpoint, delivery_id=delivery_id
    )
    context = tenant_context(
        request, tab="webhooks", endpoint=endpoint, delivery=delivery, test_event=TEST_EVENT
    )
    return render(request, "webhooks/delivery.html", context)


@require_POST
@tenant_permission_required(WEBHOOKS_MANAGE)
def delivery_resend(request: TenantRequest, endpoint_id: int, delivery_id: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(tenant=request.tenant, endpoint_id=endpoint_id)
    delivery = selectors.delivery_get(
        tenant=request.tenant, endpoint=endpoint, delivery_id=delivery_id
    )
    if refused := consume_or_429(request, tier="webhook-resend", key=f"endpoint-{endpoint.pk}"):
        return refused
    from_delivery = request.POST.get("back") == "delivery"
    run_action(
        request,
        lambda: services.delivery_resend(
            tenant=request.tenant, delivery=delivery, acting_user=request.user
        ),
        success=(
            _("Sent again: the answer shows under Attempts.")
            if from_delivery
            else _("Sent again: the log shows the answer.")
        ),
    )
    if from_delivery:  # back where it was pressed, with the new attempt
        return redirect(
            "webhooks:delivery",
            tenant_slug=request.tenant.slug,
            endpoint_id=endpoint.pk,
            delivery_id=delivery.pk,
        )
    return redirect("webhooks:detail", tenant_slug=request.tenant.slug, endpoint_id=endpoint.pk)
