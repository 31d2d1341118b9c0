"""Resolves `/t/<slug>/…` to the tenant, the user's membership and role: once, in one query.

This is the one place where tenant scoping starts. Every tenant URL is included
under `t/<slug:tenant_slug>/`; this middleware pops `tenant_slug` from the view
kwargs and sets `request.tenant`, `request.membership` and `request.role`, so
views never look a tenant up themselves. The membership is read fresh on every
request, so a removed, suspended or demoted member loses access on their next request. It also
records the visit (throttled), which is where sign-in and /app/ land later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from core.client_ip import client_ip
from core.security_log import security_event
from tenants.selectors import (
    membership_for_old_slug,
    membership_for_request,
    tenant_deleted_for_member,
)
from tenants.services.member_state import membership_mark_visited

if TYPE_CHECKING:
    from accounts.models import User
    from core.types import TenantRequest


class TenantMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 404 and hasattr(request, "tenant"):
            # A member asked for an object this tenant does not have: a stale link, or
            # an id from another tenant. Selectors scope by tenant, so both are 404s.
            security_event(
                "tenant.object_not_found",
                level=logging.INFO,
                user_id=request.user.pk,
                tenant_id=request.tenant.pk,
                ip=client_ip(request),
                method=request.method,
                path=request.path,
            )
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        slug = view_kwargs.pop("tenant_slug", None)
        if slug is None:
            return None
        if not hasattr(request, "user"):
            raise ImproperlyConfigured(
                "TenantMiddleware needs request.user: put it after the authentication "
                "middleware in MIDDLEWARE."
            )
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = membership_for_request(user=user, slug=slug)
        if membership is None:
            return self._redirect_from_old_slug(request, slug, user=user)
        tenant_request = cast("TenantRequest", request)  # what this middleware makes of it
        tenant_request.membership = membership
        tenant_request.tenant = membership.tenant
        tenant_request.role = membership.role
        switched = request.session.get("active_tenant_id") != membership.tenant_id
        if switched:
            request.session["active_tenant_id"] = membership.tenant_id
        # Where sign-in lands next time, from any browser; no write on most requests.
        membership_mark_visited(membership=membership, switched=switched)
        return None

    def _redirect_from_old_slug(
        self, request: HttpRequest, slug: str, *, user: User
    ) -> HttpResponse:
        """Only on a miss: follow a renamed slug for members; say a deleted organisation
        was deleted to its former members (410); 404 for everyone else (never reveal
        whether a tenant exists to someone who is not in it)."""
        membership = membership_for_old_slug(user=user, slug=slug)
        if membership is None:
            gone = tenant_deleted_for_member(user=user, slug=slug)
            if gone is not None:
                return render(request, "tenants/deleted.html", {"tenant": gone}, status=410)
            security_event(
                "tenant.not_member",
                user_id=user.pk,
                slug=slug,
                ip=client_ip(request),
                method=request.method,
                path=request.path,
            )
            raise Http404("No such tenant.")
        target = request.get_full_path().replace(f"/t/{slug}/", f"/t/{membership.tenant.slug}/", 1)
        response = HttpResponseRedirect(target)
        if request.method not in ("GET", "HEAD"):
            response.status_code = 307  # keep the method and body of a form post
        return response
