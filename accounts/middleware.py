"""Sign-in redirects for htmx requests; the signed-in person's language and time zone."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone, translation
from django_htmx.http import HttpResponseClientRedirect

from core.htmx import is_htmx
from core.same_site import same_site_page

REDIRECTS = {301, 302, 303, 307, 308}


class HtmxSignInRedirectMiddleware:
    """An htmx request that needs sign-in navigates the whole browser to the sign-in
    page (`HX-Redirect`), with `next` back to the page the person was on.

    htmx follows a plain redirect inside its XHR and would swap the whole sign-in
    page, header and footer included, into the fragment it was updating (a session
    revoked from another device, then a click on "Send invitation")."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code not in REDIRECTS or not is_htmx(request):
            return response
        sign_in = resolve_url(settings.LOGIN_URL)
        if urlsplit(response.get("Location", "")).path != sign_in:
            return response
        navigate = HttpResponseClientRedirect(f"{sign_in}?{urlencode({'next': _page(request)})}")
        navigate.cookies = response.cookies  # e.g. the expired session cookie's removal
        return navigate


def _page(request: HttpRequest) -> str:
    """The page in the browser (htmx sends it), else the requested path."""
    return same_site_page(request, request.headers.get("HX-Current-URL", "")) or (
        request.get_full_path()
    )


def language_of_person_activate(request: HttpRequest, language: str) -> None:
    """The person's chosen language for the rest of this request (none chosen: the
    browser's, as LocaleMiddleware set it)."""
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language


class UserLocaleMiddleware:
    """Pages in the signed-in person's language and time zone.

    LocaleMiddleware (above) has already chosen the language cookie's or the
    browser's language; a person who picked one on the account page gets theirs
    instead. The user came with the session row, so this reads two attributes and
    makes no query; without a session cookie it does not even resolve `request.user`.
    The time zone is reset after every response: it is per thread, and the next
    request on this worker may be someone else's.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return self.get_response(request)
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        language_of_person_activate(request, getattr(user, "language", ""))
        try:
            timezone.activate(getattr(user, "time_zone", "") or settings.TIME_ZONE)
        except zoneinfo.ZoneInfoNotFoundError:  # a zone dropped by a tzdata update
            timezone.activate(settings.TIME_ZONE)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
