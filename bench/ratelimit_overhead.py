"""Rate-limiter cost: Redis round trips per check and overhead on a simple page.

Not a test: prints numbers. Run with a real Redis (a DB of your own):

    REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/ratelimit_overhead.py [N]

It drives Django's full handler in-process (test Client, all of MIDDLEWARE) on a
tiny page placed in the serve tier, once with RATELIMIT_ENABLED off and once on,
spreading client IPs so no request is refused (docs/performance.md).
Both wall time and this process's CPU time are reported: the difference is the wait
for Redis, whose own CPU runs on the same cores in `make bench`.
Round trips are counted twice: packets redis-py sends, and the server's
INFO commandstats delta (server-wide, so other clients on the server add noise).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.urls import include, path  # noqa: E402

if TYPE_CHECKING:
    from redis import Redis


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello")


urlpatterns = [path("bench/", include(([path("hello", hello, name="hello")], "bench")))]


def main() -> None:
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL (e.g. redis://127.0.0.1:6379/3): the benchmark measures Redis.")
    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings
    from django_redis import get_redis_connection
    from redis.connection import AbstractConnection, Connection

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    overrides = {
        "ROOT_URLCONF": __name__,
        "ALLOWED_HOSTS": ["*"],
        "SECURE_SSL_REDIRECT": False,
        "RATELIMIT_BACKEND": "ratelimit.backends.redis.RedisBackend",
        "RATELIMIT_KEY_PREFIX": "bench:",
        "RATELIMIT_SERVE_NAMESPACES": ["bench"],
        "RATELIMIT_TIERS": {**settings.RATELIMIT_TIERS, "serve": {"rate": "1000000/1h"}},
    }
    client = Client()
    conn = get_redis_connection("default")

    def run(enabled: bool) -> tuple[float, float, int, int]:
        sent = 0
        original = Connection.send_packed_command

        def counting(self: AbstractConnection, command: Any, check_health: bool = True) -> None:
            nonlocal sent
            sent += 1
            original(self, command, check_health)

        with override_settings(RATELIMIT_ENABLED=enabled, **overrides):
            for i in range(200):  # warm-up: imports, script load, connection pool
                client.get("/bench/hello", REMOTE_ADDR=f"10.9.{i % 250}.{i % 200}")
            stats_before = _calls(conn)
            # Patching the class is the measurement: every command redis-py sends passes here.
            Connection.send_packed_command = counting  # type: ignore[method-assign]
            try:
                start, start_cpu = time.perf_counter(), time.process_time()
                for i in range(n):
                    ip = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
                    response = client.get("/bench/hello", REMOTE_ADDR=ip)
                    assert response.status_code == 200, response.status_code
                elapsed = time.perf_counter() - start
                cpu = time.process_time() - start_cpu
            finally:
                Connection.send_packed_command = original  # type: ignore[method-assign]  # restore
            server_calls = _calls(conn) - stats_before - 1  # minus our own INFO
            conn.delete(*(conn.keys("bench:rl:*") or ["bench:none"]))
        return elapsed, cpu, sent, server_calls

    off, off_cpu, off_sent, _ = run(False)
    on, on_cpu, on_sent, on_server = run(True)
    print(f"requests per run:                 {n}")
    print(f"limiter off:                      {n / off:8.0f} req/s")
    print(f"limiter on (serve tier, Redis):   {n / on:8.0f} req/s")
    print(f"throughput ratio on/off:          {off / on and n / on / (n / off):8.2f}")
    print(f"added time per request:           {(on - off) / n * 1000:8.3f} ms")
    # This process's CPU only: what the app pays; the rest of the time is Redis's work.
    print(f"added app CPU per request:        {(on_cpu - off_cpu) / n * 1000:8.3f} ms")
    print(f"redis-py sends per request:       {(on_sent - off_sent) / n:8.2f}")
    print(f"server commands per request:      {on_server / n:8.2f} (server-wide, noisy if shared)")


def _calls(conn: Redis) -> int:
    stats: dict[str, Any] = conn.info("commandstats")
    return sum(v["calls"] for k, v in stats.items())


if __name__ == "__main__":
    main()
