"""Requests the app never serves are refused before any work is done.

- `AllowedMethodsMiddleware`: only GET, HEAD and POST reach a view. TRACE, PUT,
  DELETE, PATCH, OPTIONS and anything else answer 405 with `Allow`, whatever the
  URL (a view that does not accept a method still refuses it itself through
  `require_http_methods`). The one exception is a protocol that needs more: the
  paths in `settings.EXTRA_METHODS_BY_PATH_PREFIX` (SCIM's PUT, PATCH and DELETE;
  "*" for the JSON API, whose own 405 names each path's methods).
- `RequestBodyLimitMiddleware`: a body larger than its endpoint could ever accept
  answers 413 as soon as `Content-Length` says so, before CSRF (the first reader
  of a POST) or the multipart parser reads a byte. Upload views declare their
  limit with `@accepts_body(setting=...)`; every other view accepts what Django
  would keep in memory (`DATA_UPLOAD_MAX_MEMORY_SIZE`).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers
from django.utils.formats import number_format
from django_htmx.http import reswap, retarget

ALLOWED_METHODS = ("GET", "HEAD", "POST")
# Multipart boundaries and part headers, the CSRF token and small fields such as `next`.
MULTIPART_ALLOWANCE = 64 * 1024

View = Callable[..., HttpResponse]


class AllowedMethodsMiddleware:
    """405 for every method outside ALLOWED_METHODS, before sessions or URL resolving.
    A browser opening an address that only takes a form's POST (what the address bar
    shows after a refused form, then reloaded, bookmarked or shared) is sent up to the
    page the form belongs to, instead of the browser's bare 405 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ALLOWED_METHODS:
            extra = _extra_methods(request.path)
            if request.method not in extra and "*" not in extra:
                return HttpResponseNotAllowed(ALLOWED_METHODS)
        response = self.get_response(request)
        if response.status_code == 405 and request.method in ("GET", "HEAD"):
            return _up_to_the_page(request, response) or response
        return response


def _up_to_the_page(request: HttpRequest, response: HttpResponse) -> HttpResponse | None:
    """A redirect to the nearest address above this one that the app serves, for a
    page a browser asked for (not an API client, not htmx); None otherwise. It keeps
    the cookies the refused answer set, and varies on the headers that chose it."""
    if "text/html" not in request.headers.get("Accept", "") or "HX-Request" in request.headers:
        return None
    path = request.path_info
    while path not in ("", "/"):
        path = path.rstrip("/").rpartition("/")[0] + "/"
        try:
            resolve(path)
        except Resolver404:
            continue
        # Under a mount ("/app") Django's request.path is the mount then path_info; at
        # the root it adds nothing (never "//account/", which names a host).
        mount = request.path.removesuffix(request.path_info)
        redirect = HttpResponseRedirect(mount + path)
        redirect.cookies = response.cookies
        patch_vary_headers(redirect, ("Accept", "HX-Request"))
        return redirect
    return None


def _extra_methods(path: str) -> tuple[str, ...]:
    for prefix, methods in settings.EXTRA_METHODS_BY_PATH_PREFIX.items():
        if path.startswith(prefix):
            return tuple(methods)
    return ()


TooLarge = Callable[[HttpRequest, int | None], HttpResponse]


def accepts_body(*, setting: str, too_large: TooLarge | None = None) -> Callable[[View], View]:
    """Let this view receive a body up to `settings.<setting>` bytes (plus multipart
    overhead); read when the request arrives, so tests and deployments can change it.
    `too_large(request, limit_bytes)` answers a bigger one in the view's own terms (the
    JSON API's problem document); the 413 page otherwise."""

    def decorator(view: View) -> View:
        # Markers on the function, read back with getattr by body_limit() and the
        # middleware; Callable types have no attributes to declare them on.
        view.request_body_limit_setting = setting  # type: ignore[attr-defined]
        view.request_body_too_large = too_large  # type: ignore[attr-defined]
        return view  # functools.wraps in outer decorators copies the attributes

    return decorator


def body_limit(view_func: Any) -> tuple[int | None, int | None]:
    """(refuse above this many bytes, the limit to show the user) for a view; None: no limit."""
    setting = getattr(view_func, "request_body_limit_setting", None)
    if setting is not None:
        allowed = int(getattr(settings, setting))
        return allowed + MULTIPART_ALLOWANCE, allowed
    default = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return (None, None) if default is None else (default + MULTIPART_ALLOWANCE, None)


class RequestBodyLimitMiddleware:
    """413 for a declared body larger than the view's limit, without reading it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: View,
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None  # Django treats an unreadable length as an empty body
        limit, shown = body_limit(view_func)
        if limit is None or declared <= limit:
            return None
        own: TooLarge | None = getattr(view_func, "request_body_too_large", None)
        if own is not None:
            return own(request, shown)
        return too_large_response(request, limit_bytes=shown)


def megabytes(size_bytes: int, *, localized: bool = True) -> str:
    """A byte limit as people read it: 10485760 → "10", 1572864 → "1.5" (MB), "1,5" on
    a German page; `localized=False` for the API's English problem details."""
    value = Decimal(f"{size_bytes / (1024 * 1024):g}")
    return number_format(value) if localized else str(value)


def too_large_response(request: HttpRequest, *, limit_bytes: int | None) -> HttpResponse:
    """The 413 page, or for htmx a notice at the top of the page (base.html swaps 413)."""
    context = {
        "limit_mb": megabytes(limit_bytes) if limit_bytes else None,
        # The address the form was posted to: opened again it shows the form (or, for a
        # POST-only one, the page above it), so the person can choose a smaller file.
        "back_url": request.path,
    }
    if request.headers.get("HX-Request") == "true":
        response = render(request, "errors/too_large_notice.html", context, status=413)
        response = reswap(retarget(response, "#main"), "afterbegin")
    else:
        response = render(request, "errors/413.html", context, status=413)
    return response
