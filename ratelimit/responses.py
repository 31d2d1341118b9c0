"""Rate-limit headers and the 429 answer (HTML page, HTMX partial or JSON)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django_htmx.http import reswap, retarget

from core.cache_headers import private_no_store
from core.client_ip import client_ip
from core.same_site import same_site_page
from core.security_log import security_event
from ratelimit.backends import Usage


def apply_headers(response: HttpResponse, usage: Usage) -> HttpResponse:
    """X-RateLimit-* on every limited response; Retry-After on a refusal."""
    response.headers["X-RateLimit-Limit"] = str(usage.limit)
    response.headers["X-RateLimit-Remaining"] = str(usage.remaining)
    response.headers["X-RateLimit-Reset"] = str(usage.reset_ms)
    if not usage.allowed:
        response.headers["Retry-After"] = str(usage.retry_after)
    return response


def wants_json(request: HttpRequest) -> bool:
    """The client prefers JSON to HTML (browsers and `*/*` get HTML)."""
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def _sent_from(request: HttpRequest) -> str:
    """The path of the page a form was posted from (its Referer on this site), else the
    address it was posted to."""
    return same_site_page(request, request.headers.get("Referer", "")) or request.path


def rate_limited_response(
    request: HttpRequest, usage: Usage, *, tier: str, key_type: str
) -> HttpResponse:
    """The 429 for this client: JSON, an HTMX notice or the friendly page; logged with
    the tier and what it was keyed by (never the key itself: it may be an account)."""
    retry_after = usage.retry_after
    security_event(
        "ratelimit.refused",
        tier=tier,
        key_type=key_type,
        ip=client_ip(request),
        method=request.method,
        path=request.path,
        retry_after=retry_after,
    )
    context = {
        # A refused form: the way back is the page it was sent from (keep-typed.js puts
        # what was typed back into it).
        "back_url": _sent_from(request) if request.method == "POST" else "",
        "retry_after": retry_after,
        "retry_minutes": -(-retry_after // 60),
        # The same for every address, existing or not: this reveals no account.
        "account_paused": tier == "auth-account",
        # Failed sign-ins from this address (an office behind one NAT, say): a password
        # reset has its own budget (auth-recovery), so it is the way on now.
        "offer_reset": tier in ("auth", "auth-account"),
    }
    response: HttpResponse
    if wants_json(request):
        response = JsonResponse({"error": "rate_limited", "retry_after": retry_after}, status=429)
    elif request.headers.get("HX-Request") == "true":
        response = render(request, "ratelimit/rate_limited_notice.html", context, status=429)
        # Show the notice at the top of the page instead of inside the widget that asked;
        # base.html lets htmx swap 429 responses.
        response = reswap(retarget(response, "#main"), "afterbegin")
    else:
        response = render(request, "errors/429.html", context, status=429)
    private_no_store(response)
    return apply_headers(response, usage)
