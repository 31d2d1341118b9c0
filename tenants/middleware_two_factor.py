"""Organisations that require two-factor authentication, enforced on their pages.

Runs right after TenantMiddleware, from what it loaded: the policy is two columns of
the tenant row, and whether this member has a second factor is first read from the
session (a sign-in or enrolment with one), so a compliant member's page costs no
query. A member without one sees a banner (`request.two_factor_deadline`) until the
grace period ends, then only this organisation's "set up two-factor" page; their other
workspaces are not affected.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from mfa.selectors import second_step_required
from sessions_app.authentication import session_passed_second_step

if TYPE_CHECKING:
    from core.types import TenantRequest

REQUIRED_PAGE = "two-factor-required"


def member_has_two_factor(request: TenantRequest) -> bool:
    """From the session when its sign-in met the second step (a factor, or a trusted
    browser), else from the database (only members without one in a workspace that
    requires it pay that query)."""
    return session_passed_second_step(request.session) or second_step_required(user=request.user)


def requirement_in_force(*, required_at: datetime | None, grace_until: datetime | None) -> bool:
    """Whether a member without a second factor is shut out now: required, and the grace
    period (if any) over. The one rule for the pages, the files and API keys
    (api.selectors; its key lookup's SQL says the same)."""
    return required_at is not None and (grace_until is None or timezone.now() >= grace_until)


def two_factor_gate(
    request: TenantRequest, *, required_at: datetime | None, grace_until: datetime | None
) -> tuple[bool, datetime | None]:
    """The organisation's policy for this member: (shut out, the deadline to show
    meanwhile). Shut out, they reach only the page saying to set it up: none of its
    other pages (below) and none of its files (uploads.serve)."""
    if required_at is None or member_has_two_factor(request):
        return False, None
    if not requirement_in_force(required_at=required_at, grace_until=grace_until):
        return False, grace_until
    return True, None


class TwoFactorPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.two_factor_required_at is None:
            return None
        shut_out, deadline = two_factor_gate(
            cast("TenantRequest", request),  # TenantMiddleware set it
            required_at=tenant.two_factor_required_at,
            grace_until=tenant.two_factor_grace_until,
        )
        if deadline is not None:
            request.two_factor_deadline = deadline  # type: ignore[attr-defined]  # for the banner
        if not shut_out:
            return None
        match = request.resolver_match
        if match is not None and match.url_name == REQUIRED_PAGE:
            return None
        url = reverse(f"tenant:{REQUIRED_PAGE}", kwargs={"tenant_slug": tenant.slug})
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(url)
