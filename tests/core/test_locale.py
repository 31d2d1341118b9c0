"""core/locale.py: Django's LocaleMiddleware, exactly, without the path lookups we cannot use."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.test import RequestFactory
from django.utils import translation

from core.locale import LocaleMiddleware

PREFIXED_URLCONF = "tests.core.locale_urls"

# (path, cookie language, Accept-Language): what a visitor can send.
VISITS = [
    ("/healthz/", None, None),
    ("/t/acme-corp/", None, "de-DE,de;q=0.9,en;q=0.5"),
    ("/de/", None, None),  # looks like a prefix; ours has none
    ("/ar/page/", "de", "ar"),
    ("/page/", "xx", "ar;q=0.8, *;q=0.1"),  # an unknown cookie value is ignored
    ("/page/", "ar", None),
    ("/de/page/", None, None),
    ("/fr/page/", None, "de"),
    ("/nowhere/", None, None),
]


def _run(
    middleware_class: type, path: str, cookie: str | None, accept: str | None, urlconf: str | None
) -> dict[str, Any]:
    headers = {"HTTP_ACCEPT_LANGUAGE": accept} if accept else {}
    request = RequestFactory().get(path, **headers)
    if cookie:
        request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = cookie
    if urlconf:
        request.urlconf = urlconf
    seen: dict[str, Any] = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen["active"] = translation.get_language()
        seen["request"] = request.LANGUAGE_CODE
        found = path.endswith("/page/") and path.count("/") == 3
        return HttpResponse("") if found else HttpResponseNotFound("")

    translation.activate("en")
    response = middleware_class(view)(request)
    return {
        **seen,
        "status": response.status_code,
        "location": response.get("Location"),
        "vary": response.get("Vary"),
        "content-language": response.get("Content-Language"),
        "after": translation.get_language(),
    }


@pytest.mark.parametrize(("path", "cookie", "accept"), VISITS)
@pytest.mark.parametrize("urlconf", [None, PREFIXED_URLCONF], ids=["our-urls", "i18n-patterns"])
def test_each_visit_is_answered_as_djangos_middleware_answers_it(
    path: str, cookie: str | None, accept: str | None, urlconf: str | None
) -> None:
    ours = _run(LocaleMiddleware, path, cookie, accept, urlconf)
    django = _run(DjangoLocaleMiddleware, path, cookie, accept, urlconf)

    assert ours == django


def test_the_visitors_language_is_chosen_from_cookie_then_header() -> None:
    assert _run(LocaleMiddleware, "/t/acme/", "ar", "de", None)["active"] == "ar"
    german = _run(LocaleMiddleware, "/t/acme/", None, "de-DE,de;q=0.9", None)
    assert german["active"] == german["content-language"] == "de"
    assert german["vary"] == "Accept-Language"
    assert _run(LocaleMiddleware, "/de/", None, None, None)["active"] == "en"


def test_with_i18n_patterns_a_missing_prefix_still_redirects() -> None:
    answer = _run(LocaleMiddleware, "/page/", None, "de", PREFIXED_URLCONF)

    assert (answer["status"], answer["location"]) == (302, "/de/page/")
