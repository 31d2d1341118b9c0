"""The reference pages the benchmark compares Pacetrack's pages with.

`hello` is the ceiling: the cheapest view Django can serve behind the project's
middleware. `stock_dashboard` renders the very same dashboard view for a user
signed in the stock-Django way: a `django.contrib.sessions` database session
(cookie `STOCK_COOKIE`) and `django.contrib.auth`'s lazy user, followed by the same
membership lookup the tenant middleware does. It runs the stock
SessionMiddleware/AuthenticationMiddleware logic inline, because the project's
middleware slots are taken by Pacetrack's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.contrib import auth
from django.contrib.auth.decorators import login_required
from django.contrib.sessions.backends.db import SessionStore
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import resolve
from django.utils.functional import SimpleLazyObject

from tenants.selectors import membership_for_request

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from core.types import TenantRequest

STOCK_COOKIE = "stock-sessionid"


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain")


@login_required
def stock_signed_in(request: HttpRequest) -> HttpResponse:
    """The minimal stock signed-in page (bench/stock_settings.py): "Signed in as <user>"."""
    return render(request, "bench/signed_in.html")


def stock_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    # What django.contrib.sessions.middleware.SessionMiddleware.process_request does.
    request.session = SessionStore(request.COOKIES.get(STOCK_COOKIE))
    # What django.contrib.auth.middleware.AuthenticationMiddleware does.
    request.user = cast("User | AnonymousUser", SimpleLazyObject(lambda: auth.get_user(request)))
    if not request.user.is_authenticated:
        raise Http404("Not signed in with a stock session.")
    membership = membership_for_request(user=request.user, slug=slug)
    if membership is None:
        raise Http404("No such tenant.")
    # What TenantMiddleware sets; from here on this is the request a tenant view gets.
    tenant_request = cast("TenantRequest", request)
    tenant_request.membership = membership
    tenant_request.tenant = membership.tenant
    tenant_request.role = membership.role
    # The very view /t/<slug>/ runs, found the way the URL resolver finds it.
    match = resolve(f"/t/{slug}/")
    kwargs = {k: v for k, v in match.kwargs.items() if k != "tenant_slug"}
    response = match.func(request, *match.args, **kwargs)
    # SessionMiddleware.process_response saves only modified sessions; a page view
    # does not modify it, exactly like the stock middleware.
    if request.session.modified:
        request.session.save()
    return response
