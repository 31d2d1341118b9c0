"""Django's LocaleMiddleware, without looking for a language in the path we never put there.

Django's middleware asks `get_language_from_path` twice per request even when the
URLconf has no `i18n_patterns` and the answer is then ignored. For a path such as
`/t/acme/` or `/healthz/` the first segment is tried as a language code and every try
ends in a LookupError that nothing caches: the two lookups were about a tenth of
`/healthz/`'s CPU in-process (docs/performance.md). Our URLs carry no language prefix,
so this skips them; with `i18n_patterns` in the URLconf Django's own code runs,
unchanged. tests/core/test_locale.py holds both to Django's behaviour.
"""

from __future__ import annotations

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation

from core.cache_headers import vary_on


def _prefixed_urls(request: HttpRequest) -> bool:
    urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
    return is_language_prefix_patterns_used(urlconf)[0]  # cached by Django per urlconf


class LocaleMiddleware(DjangoLocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if _prefixed_urls(request):
            super().process_request(request)
            return
        # What Django's does when no pattern is prefixed: the path is never consulted.
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if _prefixed_urls(request):
            return super().process_response(request, response)
        vary_on(response, "Accept-Language")
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
