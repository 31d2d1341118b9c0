"""Project-wide pages: the public landing page and the error handlers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from api import views as api_views
from core.decorators import PermissionMissing
from core.exceptions import DomainError, refusal_message
from core.htmx import is_htmx, toast
from core.permissions import permission_names
from core.same_site import same_site_page

# What an htmx request hears when it cannot have the part of the page it asked for:
# a toast, never an error page swapped into a fragment (base.html swaps no 4xx/5xx).
HTMX_REFUSALS = {
    400: _("That could not be done. Reload the page and try again."),
    403: _(
        "You don't have permission to do that (any more). Reload the page to see what "
        "your role allows."
    ),
    404: _(
        "That is no longer here: someone may have removed it. Reload the page to see the latest."
    ),
}
HTMX_CSRF_EXPIRED = _("This page has expired. Reload it and try again.")
# A form sent from a page that expired (signed out in another tab, a token rotated by a
# sign-in elsewhere, a page kept open for days): said on the page it came from.
CSRF_EXPIRED = _("That page had expired, so nothing was saved. Try again.")
CSRF_NO_COOKIES = _(
    "Your browser did not send this site's cookies, so nothing was saved. Allow cookies "
    "for this site and try again."
)


def htmx_refusal(status: int, exception: Exception | None = None) -> HttpResponse:
    """An empty answer with the status and a toast: a refusal a service explained
    (`DomainError`) in its own words, anything else in HTMX_REFUSALS' words."""
    if isinstance(exception, DomainError):
        message = refusal_message(exception)
    else:
        message = str(HTMX_REFUSALS[status])
    return toast(HttpResponse(status=status), message, level="error")


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_htmx(request):
        return htmx_refusal(400, exception)
    return render(request, "errors/400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_htmx(request):
        return htmx_refusal(403, exception)
    # A service's refusal is written for people (core.exceptions.DomainError): say it.
    reason = refusal_message(exception) if isinstance(exception, DomainError) else ""
    role = getattr(request, "role", None)
    if isinstance(exception, PermissionMissing) and role is not None:
        # Which permission, and whom to ask: "your role does not allow this" left a
        # member guessing what to ask for.
        reason = gettext(
            "Your role, %(role)s, does not include “%(permission)s”. Ask an owner or "
            "admin of %(name)s if you need it."
        ) % {
            "role": role.label,
            "permission": permission_names([exception.code])[0],
            "name": request.tenant.name,  # type: ignore[attr-defined]  # beside its role
        }
    return render(request, "errors/403.html", {"reason": reason}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path_info.startswith("/api/"):  # JSON API clients read problems, not pages
        return api_views.not_found(request)
    if is_htmx(request):
        return htmx_refusal(404, exception)
    return render(request, "errors/404.html", status=404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW. An htmx request from someone signed out meanwhile (a sign-out
    in another tab clears the cookies) goes to sign-in like any other (the redirect
    becomes HX-Redirect); other htmx refusals are a toast. A plain form goes back to
    the page it was sent from, which says why (and asks to sign in again if that is
    what happened); without a page of ours to go back to, or without cookies at all,
    our own page says it. Never Django's developer page."""
    if not is_htmx(request):
        back = same_site_page(request, request.META.get("HTTP_REFERER", ""))
        if back and request.COOKIES:
            messages.error(request, CSRF_EXPIRED)
            return redirect(back)
        told = CSRF_EXPIRED if request.COOKIES else CSRF_NO_COOKIES
        return render(request, "errors/csrf.html", {"reason": told}, status=403)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return toast(HttpResponse(status=403), str(HTMX_CSRF_EXPIRED), level="error")
