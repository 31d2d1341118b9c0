"""System checks for the uploads settings that only make sense together."""

from __future__ import annotations

from typing import Any

from uploads.checks import BODY_LIMIT_MW, CSRF_MW, check_body_limit_middleware


def test_the_project_refuses_oversized_bodies_before_csrf_reads_them() -> None:
    assert check_body_limit_middleware() == []


def test_the_body_limit_after_csrf_is_an_error(settings: Any) -> None:
    settings.MIDDLEWARE = [CSRF_MW, BODY_LIMIT_MW]
    assert [e.id for e in check_body_limit_middleware()] == ["uploads.E005"]


def test_a_missing_body_limit_is_reported(settings: Any) -> None:
    settings.MIDDLEWARE = [CSRF_MW]
    assert [e.id for e in check_body_limit_middleware()] == ["uploads.W003"]
