"""Every request has an id: on its response (`X-Request-ID`), on each log line it writes
through the configured console handler, on the 500 page and the API's 500 problem, so
an operator finds the traceback of the error someone quotes (core/request_id.py)."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from tests.config.test_settings import ROOT

pytestmark = pytest.mark.django_db

OURS = re.compile(r"[0-9a-f]{16}")


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the configured `console` handler (LOGGING) writes, with its own filters and
    formatter: the lines an operator reads."""
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    assert isinstance(handler, logging.StreamHandler)
    written = io.StringIO()
    previous = handler.setStream(written)
    try:
        yield written
    finally:
        handler.setStream(previous)


def test_every_response_carries_an_id_of_its_own(client: Client) -> None:
    first = client.get("/auth/sign-in/")["X-Request-ID"]
    second = client.get("/auth/sign-in/")["X-Request-ID"]

    assert OURS.fullmatch(first) and OURS.fullmatch(second)
    assert first != second


def test_a_clients_own_id_is_never_believed_without_the_setting(client: Client) -> None:
    """Otherwise anyone could give their requests the id of someone else's, and an
    operator following it would read the wrong lines."""
    response = client.get("/auth/sign-in/", headers={"X-Request-ID": "0123456789abcdef"})

    assert response["X-Request-ID"] != "0123456789abcdef"
    assert OURS.fullmatch(response["X-Request-ID"])


def test_the_balancers_id_is_believed_when_the_setting_names_its_header(settings: Any) -> None:
    settings.REQUEST_ID_HEADER = "X-Request-ID"
    balancers = "0b7e2f9c-3f7a-4a43-9a1e-5d1c2b3a4f56"

    response = Client().get("/auth/sign-in/", headers={"X-Request-ID": balancers})

    assert response["X-Request-ID"] == balancers


@pytest.mark.parametrize("sent", ["a b", "x" * 65, "line\nevent=sign_in.succeeded", "", "<script>"])
def test_a_believed_header_that_is_not_an_id_is_replaced_by_ours(settings: Any, sent: str) -> None:
    settings.REQUEST_ID_HEADER = "X-Request-ID"

    response = Client().get("/auth/sign-in/", HTTP_X_REQUEST_ID=sent)

    assert OURS.fullmatch(response["X-Request-ID"]), response["X-Request-ID"]


def test_each_log_line_of_a_request_carries_its_id(
    client: Client, user: Any, console: io.StringIO
) -> None:
    wrong = client.post("/auth/sign-in/", {"email": user.email, "password": "hunter2-guess"})
    missing = client.get("/no-such-page/")

    lines = console.getvalue().splitlines()
    [failed] = [line for line in lines if "event=sign_in.failed" in line]
    [not_found] = [line for line in lines if "Not Found: /no-such-page/" in line]
    assert f"[{wrong['X-Request-ID']}]: " in failed
    assert f"[{missing['X-Request-ID']}]: " in not_found


def test_lines_written_outside_a_request_say_so(console: io.StringIO) -> None:
    logging.getLogger("pacetrack.test").warning("from a command")

    assert "pacetrack.test [-]: from a command" in console.getvalue()


def test_the_500_page_quotes_the_id_of_the_traceback_in_the_log(
    settings: Any, console: io.StringIO
) -> None:
    settings.ROOT_URLCONF = "tests.core.urls_failing"

    response = Client(raise_request_exception=False).get("/test/fails/")

    request_id = response["X-Request-ID"]
    assert response.status_code == 500
    assert f'<code class="font-mono text-slate-700" translate="no">{request_id}</code>' in (
        response.content.decode()
    )
    logged = console.getvalue()
    assert f"[{request_id}]: Internal Server Error: /test/fails/" in logged
    assert "ValueError: a bug of ours" in logged  # the traceback follows that line


def test_the_apis_500_problem_carries_the_id_too(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.core.urls_failing"

    response = Client(raise_request_exception=False).get("/api/v1/test/fails")

    assert response.status_code == 500
    assert response.json()["request_id"] == response["X-Request-ID"]
    assert "a bug of ours" not in response.content.decode()


def _log_in_a_process(**env: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import logging; from core.security_log import security_event; "
        "logging.getLogger('pacetrack.test').warning('plain words'); "
        "security_event('sign_in.failed', account='ab12', ip='192.0.2.4', path='/auth/sign-in/')"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_log_format_json_writes_one_object_a_line_with_each_field_its_own_key() -> None:
    result = _log_in_a_process(LOG_FORMAT="json")

    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    [plain] = [r for r in records if r["logger"] == "pacetrack.test"]
    [event] = [r for r in records if r["logger"] == "pacetrack.security"]
    assert plain["message"] == "plain words" and plain["level"] == "WARNING"
    assert plain["request_id"] == "-" and "time" in plain
    assert event["event"] == "sign_in.failed" and event["ip"] == "192.0.2.4"
    assert event["account"] == "ab12" and event["path"] == "/auth/sign-in/"


def test_an_unknown_log_format_stops_the_process_saying_which_are_known() -> None:
    result = _log_in_a_process(LOG_FORMAT="xml")

    assert result.returncode != 0
    assert "LOG_FORMAT must be plain or json, not 'xml'" in result.stderr


def test_the_default_format_is_one_line_of_text_with_the_id() -> None:
    result = _log_in_a_process()

    assert result.returncode == 0, result.stderr
    assert re.search(r" WARNING pacetrack\.test \[-\]: plain words$", result.stderr, re.M)
