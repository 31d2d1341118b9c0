"""The admin for staff with a second factor only (MFA_ADMIN_REQUIRED, on by default when
DEBUG is off): a staff session that signed in with a password alone gets a page saying
how to get one, not the admin. Read from the session, so it costs no query."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mfa.selectors import second_step_required
from sessions_app.authentication import session_has_second_factor, session_passed_second_step

OPEN_ADMIN_VIEWS = frozenset({"login", "logout"})


class AdminTwoFactorMiddleware:
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
        if not settings.MFA_ADMIN_REQUIRED:
            return None
        match = request.resolver_match
        if match is None or match.namespace != "admin" or match.url_name in OPEN_ADMIN_VIEWS:
            return None
        user = request.user
        if not (user.is_authenticated and user.is_staff):
            return None  # the admin's own login page answers
        if session_has_second_factor(request.session):
            return None
        context = {
            "has_two_factor": second_step_required(user=user),
            # The second step skipped on a browser trusted before: no factor proven here.
            "trusted_browser": session_passed_second_step(request.session),
        }
        return render(request, "mfa/admin_required.html", context, status=403)
