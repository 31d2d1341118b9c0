"""`verified_email_required`: actions that reach other people (invitations, new orgs)
or cost storage and money (uploads, checkout) need a confirmed address, so a
throwaway account cannot use our sending domain or resources for someone else."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from core.same_site import same_site_url

View = Callable[..., HttpResponse]
TEMPLATE = "accounts/verify_required.html"


def verified_email_required(view: View) -> View:
    """Refuse (403, on a page with a "send me a new link" button) while the signed-in
    user's address is unverified and ACCOUNTS_REQUIRE_VERIFIED_EMAIL is on.

    Anonymous requests pass through to the view's own sign-in check; no query is
    made (`email_verified_at` is on request.user)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if (
            settings.ACCOUNTS_REQUIRE_VERIFIED_EMAIL
            and user.is_authenticated
            and user.email_verified_at is None
        ):
            return verification_required_response(request)
        return view(request, *args, **kwargs)

    return wrapped


def verification_required_response(request: HttpRequest) -> HttpResponse:
    """The refusal: the explanation page, or for htmx a client redirect to it
    (base.html tells htmx not to swap 4xx answers into the widget that asked)."""
    back = _back_url(request)
    if getattr(request, "htmx", False):
        query = urlencode({"next": back})
        return HttpResponseClientRedirect(f"{reverse('accounts:verify-required')}?{query}")
    return render(request, TEMPLATE, {"next": back}, status=403)


def _back_url(request: HttpRequest) -> str:
    """Where to return after asking for a new link: this page for a GET, else the
    page the form was on. Headers only: a refused upload's body is never parsed."""
    if request.method == "GET":
        return request.get_full_path()
    return (
        same_site_url(request, request.headers.get("HX-Current-URL", ""))
        or same_site_url(request, request.headers.get("Referer", ""))
        or reverse(settings.LOGIN_REDIRECT_URL)
    )
