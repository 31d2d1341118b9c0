"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from core.cache_headers import never_cache

logger = logging.getLogger("pacetrack.health")


# The body JsonResponse({"status": "ok"}) would encode, encoded once: probes call this often.
HEALTHZ_BODY = b'{"status": "ok"}'


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is alive. No I/O, so it stays green while a dependency is down."""
    return HttpResponse(HEALTHZ_BODY, content_type="application/json")


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_cache() -> None:
    if hasattr(cache, "client") and hasattr(cache.client, "get_client"):  # django-redis
        cache.client.get_client(write=True).ping()
    else:
        cache.get("readyz-probe")


def _storage_exists() -> None:
    default_storage.exists("readyz-probe")


# A stalled S3 (it accepts the connection, then never answers) held the probe for 3
# attempts of its timeouts, ~30 s: as long as gunicorn's worker timeout, so the worker
# was killed (a 500, not the 503), and with two probes in flight no worker was left for
# /healthz/. The storage call runs beside the request, which waits this long for it;
# a call still waiting from an earlier probe is waited on again, never doubled.
STORAGE_DEADLINE_SECONDS = 3.0
_storage_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="readyz-storage")
_storage_call: Future[None] | None = None


class StorageTimeout(Exception):
    """The storage did not answer within STORAGE_DEADLINE_SECONDS."""


def check_storage() -> None:
    global _storage_call
    if _storage_call is None or _storage_call.done():
        _storage_call = _storage_pool.submit(_storage_exists)
    try:
        _storage_call.result(timeout=STORAGE_DEADLINE_SECONDS)
    except FutureTimeout:
        raise StorageTimeout(f"no answer within {STORAGE_DEADLINE_SECONDS:g} s") from None


# The cache check is named `redis` when Redis backs it, as operators look for that name.
def _checks() -> dict[str, Callable[[], None]]:
    cache_name = "redis" if hasattr(cache, "client") else "cache"
    return {"database": check_database, cache_name: check_cache, "storage": check_storage}


# A flood of probes (or an attacker) costs at most one round of checks per process per
# this many seconds. Short, so an outage still shows within a probe interval or two.
READYZ_CACHE_SECONDS = 2.0

_lock = threading.Lock()
_last: tuple[float, dict[str, object]] | None = None


def readyz_cache_clear() -> None:
    """Forget the cached result (tests, or after changing the checked settings)."""
    global _last
    with _lock:
        _last = None


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Every dependency answers: 200 with each check, or 503 naming the failing ones."""
    global _last
    with _lock:  # one thread checks, the others wait for its answer
        if _last is None or time.monotonic() - _last[0] >= READYZ_CACHE_SECONDS:
            checked = _run_checks()
            _last = (time.monotonic(), checked)
        body = _last[1]
    return JsonResponse(body, status=503 if body["failing"] else 200)


def _run_checks() -> dict[str, object]:
    results: dict[str, str] = {}
    for name, check in _checks().items():
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; it is reported
            logger.warning("readiness check %s failed: %s", name, exc)
            results[name] = f"failing: {exc.__class__.__name__}"
        else:
            results[name] = "ok"
    failing = [name for name, result in results.items() if result != "ok"]
    return {"status": "failing" if failing else "ok", "checks": results, "failing": failing}
