"""core/cache_headers.py: the same headers Django's never_cache and patch_cache_control write."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
import time_machine
from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.views.decorators.cache import never_cache as django_never_cache

from core.cache_headers import NEVER_CACHE, never_cache, private_no_store, vary_on

# Responses as views hand them over: none of the headers yet, or a policy of their own.
EXISTING = [
    {},
    {"Cache-Control": "public, max-age=60"},
    {"Cache-Control": "private, no-cache"},
    {"Expires": "Thu, 01 Jan 2037 00:00:00 GMT"},
    {"Cache-Control": "max-age=3600", "Expires": "Thu, 01 Jan 2037 00:00:00 GMT"},
]


def _response(headers: dict[str, str]) -> HttpResponse:
    response = HttpResponse(b"ok")
    for name, value in headers.items():
        response[name] = value
    return response


def _expires_at(response: HttpResponse) -> float:
    return parsedate_to_datetime(response["Expires"]).timestamp()


@pytest.mark.parametrize("headers", EXISTING)
def test_never_cache_writes_what_djangos_writes(headers: dict[str, str]) -> None:
    request = RequestFactory().get("/")
    ours = never_cache(lambda request: _response(headers))(request)
    django = django_never_cache(lambda request: _response(headers))(request)

    assert ours["Cache-Control"] == django["Cache-Control"]
    # "now" is read by each in turn: the same second, or the next one.
    assert 0 <= _expires_at(django) - _expires_at(ours) <= 1
    assert sorted(ours.headers) == sorted(django.headers)


def test_never_cache_on_a_fresh_response_is_the_constant() -> None:
    response = never_cache(lambda request: HttpResponse())(RequestFactory().get("/"))

    assert response["Cache-Control"] == NEVER_CACHE
    assert set(response["Cache-Control"].split(", ")) == {
        "max-age=0",
        "no-cache",
        "no-store",
        "must-revalidate",
        "private",
    }


def test_expires_is_the_current_second_as_the_clock_moves() -> None:
    view = never_cache(lambda request: HttpResponse())
    for moment in (1_800_000_000.25, 1_800_000_000.75, 1_800_000_001.1, 1_900_000_000.0):
        with time_machine.travel(moment, tick=False):
            response = view(RequestFactory().get("/"))
        assert response["Expires"] == http_date(int(moment))


@pytest.mark.parametrize("headers", EXISTING)
def test_private_no_store_writes_what_patch_cache_control_writes(headers: dict[str, str]) -> None:
    ours, django = _response(headers), _response(headers)

    private_no_store(ours)
    patch_cache_control(django, private=True, no_store=True)

    assert ours["Cache-Control"] == django["Cache-Control"]
    assert sorted(ours.headers) == sorted(django.headers)


def test_never_cache_refuses_what_is_not_a_request_as_djangos_does() -> None:
    class View:
        @never_cache
        def get(self, request: HttpRequest) -> HttpResponse:
            return HttpResponse()

    with pytest.raises(TypeError, match="@method_decorator"):
        View().get(RequestFactory().get("/"))


def test_an_async_view_keeps_djangos_decorator_and_stays_async() -> None:
    async def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    decorated = never_cache(view)

    assert iscoroutinefunction(decorated)
    # A thread of its own: a browser test may leave this one's event loop running.
    with ThreadPoolExecutor(1) as pool:
        request = RequestFactory().get("/")
        response = pool.submit(asyncio.run, decorated(request)).result()
    assert response["Cache-Control"] == NEVER_CACHE


def test_healthz_is_never_cached(client: Any) -> None:
    response = client.get("/healthz/")

    assert response["Cache-Control"] == NEVER_CACHE
    assert _expires_at(response) > 0


def test_a_signed_in_page_is_private_no_store(owner_client: Any, acme: Any) -> None:
    response = owner_client.get(f"/t/{acme.slug}/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    "existing", [None, "Accept-Language", "cookie", "Accept-Language, Cookie", "*", ""]
)
@pytest.mark.parametrize("header", ["Cookie", "Accept-Language"])
def test_vary_on_writes_what_patch_vary_headers_writes(existing: str | None, header: str) -> None:
    ours, django = HttpResponse(), HttpResponse()
    if existing is not None:
        ours["Vary"] = django["Vary"] = existing
    vary_on(ours, header)
    patch_vary_headers(django, (header,))

    assert ours["Vary"] == django["Vary"]


def test_an_anonymous_probe_does_not_vary_on_the_cookie_it_never_read(client: Any) -> None:
    """No session cookie: nothing reads the (empty) session, so no Vary: Cookie."""
    response = client.get("/healthz/")

    assert response["Vary"] == "Accept-Language"


def test_a_signed_in_page_still_varies_on_the_cookie(owner_client: Any, acme: Any) -> None:
    response = owner_client.get(f"/t/{acme.slug}/")

    assert response.status_code == 200
    assert set(response["Vary"].split(", ")) == {"Accept-Language", "Cookie"}
