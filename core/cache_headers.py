"""Cache-Control and Vary for our own responses, written once instead of parsed and rebuilt.

Django's `never_cache` and `patch_cache_control` parse the response's Cache-Control
header into a dict and write it back, twice for `never_cache`, on every response: about
a tenth of `/healthz/`'s whole CPU in-process (docs/performance.md). Nearly every response
reaching them carries no caching header yet, and then the result is a constant. These
write that constant; a response that already chose a policy goes through Django's own
functions, so the headers are always exactly what Django's would be
(tests/core/test_cache_headers.py compares them). `vary_on` does the same for the
session and language middleware's `Vary`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.views.decorators.cache import never_cache as django_never_cache

# What Django's add_never_cache_headers writes on a response without either header.
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"
# What patch_cache_control(response, private=True, no_store=True) writes on one without.
PRIVATE_NO_STORE = "private, no-store"


_now_formatted: tuple[int, str] = (0, "")


def _http_date_now() -> str:
    """http_date(time.time()), formatted once per second: it only shows whole seconds."""
    global _now_formatted
    second = int(time.time())
    if _now_formatted[0] != second:
        _now_formatted = (second, http_date(second))
    return _now_formatted[1]


def never_cache_headers(response: HttpResponse) -> None:
    """django.utils.cache.add_never_cache_headers, without the parse when there is none."""
    headers = response.headers
    if "Cache-Control" in headers or "Expires" in headers:
        add_never_cache_headers(response)
        return
    headers["Expires"] = _http_date_now()
    headers["Cache-Control"] = NEVER_CACHE


def private_no_store(response: HttpResponse) -> None:
    """`Cache-Control: private, no-store`, merged with a policy already set as Django would."""
    if "Cache-Control" in response.headers:
        patch_cache_control(response, private=True, no_store=True)
    else:
        response.headers["Cache-Control"] = PRIVATE_NO_STORE


def vary_on(response: HttpResponseBase, header: str) -> None:
    """patch_vary_headers(response, (header,)), without the parse when there is no Vary."""
    if "Vary" in response.headers:
        patch_vary_headers(response, (header,))
    else:
        response.headers["Vary"] = header


View = Callable[..., HttpResponse]


def never_cache(view: View) -> View:
    """django.views.decorators.cache.never_cache, with the constant headers above."""
    if iscoroutinefunction(view):  # none of ours; Django's handles them
        return django_never_cache(view)  # type: ignore[return-value]

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not hasattr(request, "META"):  # Django's check: a method decorated bare
            raise TypeError(
                "never_cache didn't receive an HttpRequest. If you are decorating a "
                "classmethod, be sure to use @method_decorator."
            )
        response = view(request, *args, **kwargs)
        never_cache_headers(response)
        return response

    return wrapped
