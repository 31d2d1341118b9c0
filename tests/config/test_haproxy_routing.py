"""The shipped HAProxy configuration keeps routing to an instance whose Redis is down:
it checks liveness (/healthz/), not /readyz/. An operator found every page a 503
through HAProxy while the app, asked directly, answered 200 (losing Redis degrades
the site, it never stops pages)."""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from cluster.topology import HEALTH_INTERVAL_MS, haproxy_config
from config import health
from tests.conftest import _free_port

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("haproxy"), reason="needs haproxy"),
]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_pages_are_served_through_haproxy_while_redis_is_down(
    live_server: Any, settings: Any, tmp_path: Path
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    health.readyz_cache_clear()
    app_port = int(live_server.url.rsplit(":", 1)[1])
    port = _free_port()
    cfg = haproxy_config(tmp_path, port=port, app_ports=(app_port,))
    proxy = subprocess.Popen(
        ["haproxy", "-db", "-f", str(cfg)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        # Long enough for the checks to mark the server down (fall 2) had they failed.
        time.sleep(3 * HEALTH_INTERVAL_MS / 1000 + 0.5)
        through = _status(f"http://127.0.0.1:{port}/auth/sign-in/")
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
        health.readyz_cache_clear()

    assert _status(f"{live_server.url}/readyz/") == 503  # Redis is down indeed
    assert _status(f"{live_server.url}/auth/sign-in/") == 200
    assert through == 200


def test_haproxy_gives_each_request_its_id_and_the_app_answers_with_it(
    live_server: Any, settings: Any, tmp_path: Path
) -> None:
    """The shipped configuration replaces any X-Request-ID a client sends with a UUID of
    its own; with REQUEST_ID_HEADER (set for the instances behind it) the app's log
    lines and answer carry that one, so the balancer's and the app's lines join."""
    settings.REQUEST_ID_HEADER = "X-Request-ID"
    app_port = int(live_server.url.rsplit(":", 1)[1])
    port = _free_port()
    cfg = haproxy_config(tmp_path, port=port, app_ports=(app_port,))
    proxy = subprocess.Popen(
        ["haproxy", "-db", "-f", str(cfg)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    ids = []
    try:
        time.sleep(2 * HEALTH_INTERVAL_MS / 1000 + 0.5)  # the server is up (rise 2)
        for _ in range(2):
            forged = urllib.request.Request(
                f"http://127.0.0.1:{port}/auth/sign-in/",
                headers={"X-Request-ID": "chosen-by-the-client"},
            )
            with urllib.request.urlopen(forged, timeout=5) as response:
                ids.append(response.headers["X-Request-ID"])
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)

    assert "chosen-by-the-client" not in ids
    assert [str(uuid.UUID(i)) for i in ids] == ids  # HAProxy's uuid(), not the app's own
    assert ids[0] != ids[1]
