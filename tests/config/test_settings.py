"""Production settings: `check --deploy` is clean, and weak secrets stop the process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STRONG = "k" * 20 + "3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a"


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=STRONG,
        SESSION_SECRET=STRONG[::-1],
        ALLOWED_HOSTS="example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _manage("check", DEBUG="false", SECRET_KEY="", SESSION_SECRET=STRONG)
    assert result.returncode != 0
    assert "SECRET_KEY is missing or weak" in result.stderr


def test_production_refuses_a_weak_session_secret() -> None:
    result = _manage("check", DEBUG="false", SECRET_KEY=STRONG, SESSION_SECRET="short")
    assert result.returncode != 0
    assert "SESSION_SECRET is missing or weak" in result.stderr
