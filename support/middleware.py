"""While staff view the app as someone: `request.user` is that person,
`request.impersonator` the staff member, every audit event names both, and the views
in `SUPPORT_IMPERSONATION_REFUSED_VIEWS` (destructive, account-takeover or
access-granting actions) are refused, as is every action behind `@reauth_required`
(mfa.decorators). One query per request, only in a session that carries a "view as"."""

from __future__ import annotations

from collections.abc import Callable
from fnmatch import fnmatchcase
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core.audit import audit_impersonator_reset, audit_impersonator_set
from support.exceptions import not_while_impersonating
from support.services import SESSION_KEY, impersonation_current


class ImpersonationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.impersonation = None  # type: ignore[attr-defined]
        request.impersonator = None  # type: ignore[attr-defined]
        # Without a session cookie there is no "view as" to find: the session is not
        # read, so an anonymous response that reads nothing else carries no Vary: Cookie.
        if (
            settings.SESSION_COOKIE_NAME not in request.COOKIES
            or request.session.get(SESSION_KEY) is None
        ):
            return self.get_response(request)
        row = impersonation_current(session=request.session, user=request.user)
        if row is None:
            return self.get_response(request)
        request.impersonation = row  # type: ignore[attr-defined]
        request.impersonator = row.staff  # type: ignore[attr-defined]
        request.user = row.target
        token = audit_impersonator_set(row.staff_id)
        try:
            return self.get_response(request)
        finally:
            audit_impersonator_reset(token)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if getattr(request, "impersonation", None) is None or request.resolver_match is None:
            return None
        name = request.resolver_match.view_name
        if any(
            fnmatchcase(name, pattern) for pattern in settings.SUPPORT_IMPERSONATION_REFUSED_VIEWS
        ):
            raise not_while_impersonating()
        return None
