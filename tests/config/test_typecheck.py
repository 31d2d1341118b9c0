"""`make test` runs mypy with the project's configuration; these prove that run can fail.

Each case type-checks one small module with pyproject.toml's [tool.mypy] settings
(django-stubs plugin included), so a configuration that silently checks nothing,
or a plugin that is not loaded, turns this test red rather than `make test` green.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    module = tmp_path / "typecheck_probe.py"
    module.write_text(textwrap.dedent(source))
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), str(module)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_well_typed_module_passes(tmp_path: Path) -> None:
    result = _mypy(
        tmp_path,
        """
        from tenants.models import Tenant

        def names() -> list[str]:
            return [t.name for t in Tenant.objects.filter(slug="acme")]
        """,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("source", "error"),
    [
        pytest.param(
            """
            def total(prices: list[int]) -> int:
                return sum(prices)

            total("12")
            """,
            "[arg-type]",
            id="wrong argument type",
        ),
        pytest.param(
            """
            def untyped(value):
                return value
            """,
            "[no-untyped-def]",
            id="function without annotations",
        ),
        pytest.param(
            """
            from tenants.models import Tenant

            Tenant.objects.filter(no_such_field=1)
            """,
            "Cannot resolve keyword 'no_such_field'",
            id="unknown ORM lookup (django-stubs plugin)",
        ),
        pytest.param(
            """
            from django.http import HttpRequest

            def view(request: HttpRequest) -> str:
                return request.tenant.name
            """,
            '"HttpRequest" has no attribute "tenant"',
            id="tenant attribute on an untyped request",
        ),
        pytest.param(
            """
            x: int = 1  # type: ignore[assignment]
            """,
            "[unused-ignore]",
            id="an ignore that ignores nothing",
        ),
    ],
)
def test_a_type_error_fails_the_check(tmp_path: Path, source: str, error: str) -> None:
    result = _mypy(tmp_path, source)
    assert result.returncode == 1, result.stdout + result.stderr
    assert error in result.stdout
