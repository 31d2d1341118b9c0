"""What reading the language once per template and the htmx header from `META` save.

Two thread-local or per-request lookups that every page repeated: constant
`{% translate %}` tags asked `translation.get_language()` (an asgiref `Local` lookup)
once each, about 70 times per signed-in page, and the htmx checks of two middleware
built `request.headers` (a dict of every header) on requests that were not htmx's.
`core/templatetags/i18n_cached.py` now reads the language once per template and
`core.htmx.is_htmx` reads `META`.

Like bench.memo_ab, one process seeds what bench.page_cpu seeds and times each page in
16 interleaved rounds of the two variants: "before" puts the per-call lookups back
(by swapping the two functions), "after" is the code as it is. Median CPU ms per request.

    python -m bench.lookups_ab [N]     # N requests per round (default 40)
    PAGE_CPU_ONLY=healthz,devices python -m bench.lookups_ab

Same settings and environment as bench.page_cpu (DATABASE_URL, REDIS_URL).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

from bench import page_cpu


def _ab(app: Callable[..., Iterable[bytes]], environ: dict[str, Any], n: int) -> dict[str, float]:
    from django.http import HttpRequest
    from django.template import Context
    from django.utils import translation

    import accounts.middleware
    from core import htmx
    from core.templatetags import i18n_cached

    def language_per_tag(context: Context) -> str | None:
        return translation.get_language()

    def htmx_from_headers(request: HttpRequest) -> bool:
        return request.headers.get("HX-Request") == "true"

    after = (i18n_cached.active_language, htmx.is_htmx)
    before = (language_per_tag, htmx_from_headers)

    def use(language: Any, is_htmx: Any) -> None:
        i18n_cached.active_language = language
        htmx.is_htmx = accounts.middleware.is_htmx = is_htmx

    variants = [("before", lambda: use(*before)), ("after", lambda: use(*after))]
    try:
        return page_cpu.interleaved(app, environ, n, variants)
    finally:
        use(*after)


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 40
    page_cpu.collect_static()
    os.environ.setdefault("PAGE_CPU_ONLY", "healthz,devices,org dashboard,personal dashboard")
    results = page_cpu._pacetrack(n, measure=_ab)
    page_cpu.print_ab(results, "before", "after")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
