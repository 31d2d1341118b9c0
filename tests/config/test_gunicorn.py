"""config/gunicorn.conf.py, run by a real gunicorn: each worker serves its requests from
inside `run_with_stack_room` (core/stack_room.py)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import _free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _get(url: str, seconds: float = 30.0) -> bytes:
    """The body at `url`, once the server answers (it is still starting at first)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_a_worker_serves_requests_from_inside_the_stack_room(tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as errors:  # the child keeps its own copy of the file
        server = subprocess.Popen(
            [
                str(GUNICORN),
                "--config",
                "config/gunicorn.conf.py",
                "tests.config.stack_probe_wsgi:application",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    try:
        assert _get(f"http://127.0.0.1:{port}/") == b"in the room", log.read_text()
        assert _get(f"http://127.0.0.1:{port}/") == b"in the room"  # and the next one
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_access_log_never_holds_a_links_token_and_names_each_request_id(
    tmp_path: Path,
) -> None:
    """An operator found `GET /auth/password/reset/<token>/` in the access log the
    Dockerfile turns on, while the link was still valid for an hour."""
    port = _free_port()
    access = tmp_path / "access.log"
    token = "Zq7xN3aT9pL2wE8rY5uI0oK4jH6gF1dS"
    server = subprocess.Popen(
        [
            str(GUNICORN),
            "--config",
            "config/gunicorn.conf.py",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(access),
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "true"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _get(f"http://127.0.0.1:{port}/healthz/")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/?again", timeout=10) as r:
            request_id = r.headers["X-Request-ID"]
        for path in (f"/auth/password/reset/{token}/", f"/auth/sign-up/confirm/{token}/?x=1"):
            with contextlib.suppress(OSError):  # whatever it answers, the line is written
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10)
    finally:
        server.terminate()
        server.wait(timeout=10)

    logged = access.read_text()
    assert token not in logged
    assert "GET /auth/password/reset/[token]/ HTTP/1.1" in logged
    assert "GET /auth/sign-up/confirm/[token]/?x=1 HTTP/1.1" in logged
    assert "GET /healthz/ HTTP/1.1" in logged
    # Each line ends with the response's request id, the one on the app's own lines.
    [again] = [line for line in logged.splitlines() if "GET /healthz/?again " in line]
    assert request_id and again.endswith(f'" {request_id}'), again
