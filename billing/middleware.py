"""Turns PlanLimitReached, raised by any view, into an upgrade prompt (403), or a
toast for htmx."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from billing.exceptions import PlanLimitReached
from core.htmx import is_htmx, toast
from core.permissions import BILLING_MANAGE


class PlanLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, PlanLimitReached):
            return None
        if is_htmx(request):  # told in a toast: 403s are not swapped in
            return toast(HttpResponse(status=403), exception.message, level="warning")
        role = getattr(request, "role", None)
        return render(
            request,
            "billing/upgrade_required.html",
            {
                "message": exception.message,
                "upgrade_url": exception.upgrade_url,
                "can_upgrade": role is not None and role.has_permission(BILLING_MANAGE),
            },
            status=403,
        )
