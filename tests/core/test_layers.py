"""The import layers hold, `make test` checks them, and a break is caught.

The contract lives in pyproject.toml ([tool.importlinter]); docs/architecture.md draws
the same list. These tests keep all three honest: the project passes, a copy with one
upward import fails, the Makefile still runs the check before pytest, and the doc's
diagram is the contract's list.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def _layers() -> list[str]:
    (contract,) = [c for c in _config()["contracts"] if c["type"] == "layers"]
    return contract["layers"]


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy_project(tmp_path: Path) -> Path:
    for package in _config()["root_packages"]:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_project_keeps_every_import_contract() -> None:
    result = _lint(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "added_import", "broken"),
    [
        # core is the floor: reaching up into an app is what the contract forbids.
        ("core/types.py", "uploads.models", "core.types -> uploads.models"),
        # Siblings on one layer import neither each other.
        ("ratelimit/policy.py", "sessions_app.models", "ratelimit.policy -> sessions_app.models"),
    ],
)
def test_an_import_against_the_layers_breaks_the_contract(
    tmp_path: Path, module: str, added_import: str, broken: str
) -> None:
    project = _copy_project(tmp_path)
    path = project / module
    path.write_text(path.read_text() + f"\nimport {added_import}  # noqa\n")

    result = _lint(project)

    assert result.returncode != 0
    assert "Apps import only downward BROKEN" in result.stdout
    assert broken in result.stdout


def test_make_test_checks_the_layers_before_pytest() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile, re.M)

    assert recipe is not None
    lines = [line.strip() for line in recipe.group(1).splitlines()]
    lint = next(i for i, line in enumerate(lines) if line.endswith("/lint-imports"))
    pytest = next(i for i, line in enumerate(lines) if "/pytest" in line)
    assert lint < pytest


def test_the_architecture_doc_draws_the_contracts_layers() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text()
    block = re.search(r"<!-- layers:begin -->\n```text\n(.*?)```\n<!-- layers:end -->", doc, re.S)

    assert block is not None, "docs/architecture.md lost its layers diagram"
    drawn = [re.sub(r"\s+#.*$", "", line).strip() for line in block.group(1).splitlines()]
    assert [line for line in drawn if line and line != "↓"] == _layers()
