"""What an operator reads in the log: a refusal is one line, not a traceback."""

from __future__ import annotations

import logging
import sys
from typing import Any

import pytest
from django.test import Client

from core.log_filters import RefusalWithoutTraceback

pytestmark = pytest.mark.django_db


def test_a_refused_page_is_logged_in_one_line_without_the_refusals_traceback(
    client: Client, acme: Any, member_of_acme: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client.force_login(member_of_acme)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(f"/t/{acme.slug}/audit/")

    assert response.status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == f"Forbidden (Permission denied): /t/{acme.slug}/audit/"
    assert record.levelno == logging.WARNING
    assert record.exc_info is None and "Traceback" not in caplog.text


def test_a_fault_keeps_its_traceback() -> None:
    try:
        raise RuntimeError("a real fault")
    except RuntimeError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "boom", None, sys.exc_info()
        )
    assert RefusalWithoutTraceback().filter(record) is True
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
