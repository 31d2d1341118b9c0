"""Every route of the project, from the URL resolver, as one concrete URL each."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

_CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")
SAMPLE_SLUG = "acme"
_SAMPLES = {"int": "1", "slug": SAMPLE_SLUG, "uuid": str(uuid.uuid4()), "path": "a/b.txt"}


def _walk(patterns: list[Any], prefix: str) -> Iterator[str]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


def every_url(*, tenant_slug: str = SAMPLE_SLUG) -> list[str]:
    """One URL per route, sample values for its parameters (regex routes such as the
    admin's catch-all are skipped). A page added later is crawled automatically."""
    samples = {**_SAMPLES, "slug": tenant_slug}
    urls = set()
    for route in _walk(get_resolver().url_patterns, ""):
        if "^" in route or "(?P" in route:
            continue
        urls.add("/" + _CONVERTER.sub(lambda m: samples.get(m["kind"] or "str", "sample"), route))
    return sorted(urls)
