"""The 500 handler, and the one place where "a service is down" becomes a clean 503.

Django turns every uncaught exception into a call to `handler500`, wherever it was
raised (a middleware loading the session, a view, a template, another error
handler). When the exception says the database, Redis or S3 is not answering, the
right answer is 503 with a Retry-After and the friendly "we'll be right back"
page, not a 500: nothing is wrong with the request, and load balancers and
clients treat 503 as "retry shortly". The connection is marked unusable by
Django's own error wrapper, so the next request reconnects by itself.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext_lazy as _

from api import views as api_views
from config.context_processors import site
from core.htmx import is_htmx, toast
from core.request_id import current_request_id

logger = logging.getLogger("pacetrack.errors")

RETRY_AFTER_SECONDS = 5


def _unavailable_errors() -> tuple[type[BaseException], ...]:
    errors: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # Redis is optional: the embedded default needs no server
        pass
    else:
        errors = (*errors, RedisConnectionError, RedisTimeoutError)
    try:
        # S3 not reachable (refused, reset, timed out): botocore's transport errors.
        from botocore.exceptions import ConnectionError as S3ConnectionError
        from botocore.exceptions import HTTPClientError
    except ImportError:
        pass
    else:
        errors = (*errors, S3ConnectionError, HTTPClientError)
    return errors


def is_service_unavailable(exc: BaseException | None) -> bool:
    """True when `exc`, or an exception it was raised from, means a backing service
    (PostgreSQL, Redis, S3) is not answering."""
    unavailable = _unavailable_errors()
    seen = 0
    while exc is not None and seen < 10:  # bounded: exception chains can loop
        if isinstance(exc, unavailable):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _render(template: str, request: HttpRequest) -> str:
    # No RequestContext: its context processors would query the failing service.
    context = {**site(request), "request_id": current_request_id()}
    return loader.get_template(template).render(context)


# htmx requests get the status and a toast (core.htmx), never a page inside a fragment.
HTMX_UNAVAILABLE = _("We could not do that just now. Try again in a few seconds.")
HTMX_SERVER_ERROR = _("Something went wrong on our side. Try again in a moment.")


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: 503 when a backing service is down, the plain 500 page otherwise; under
    /api/ the same as problem documents (JSON API clients read problems, not pages)."""
    exc = sys.exc_info()[1]  # Django calls handler500 inside its `except` block
    unavailable = is_service_unavailable(exc)
    if request.path_info.startswith("/api/"):
        response = api_views.server_error(request, unavailable=unavailable)
        if unavailable:
            logger.warning("Service unavailable on %s: %r", request.path, exc)
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if not unavailable:
        if is_htmx(request):
            return toast(HttpResponse(status=500), str(HTMX_SERVER_ERROR), level="error")
        return HttpResponse(_render("errors/500.html", request), status=500)
    logger.warning("Service unavailable on %s: %r", request.path, exc)
    if is_htmx(request):
        response = toast(HttpResponse(status=503), str(HTMX_UNAVAILABLE), level="error")
    else:
        response = HttpResponse(_render("errors/503.html", request), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
