"""Builds are reproducible: every Python package is pinned in constraints.txt, within
pyproject.toml's ranges, and both `make setup` and the Dockerfile install through it.
An operator found the image built from the ranges alone (`stripe>=12,<17`…), so two
builds of one commit could run different libraries from the ones the tests passed with."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not a pin: {line!r}"
            pins[canonicalize_name(name)] = version.strip()
    return pins


def _requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["dev"]
    return [Requirement(r) for r in declared]


def test_every_declared_package_is_pinned_within_its_range() -> None:
    pins = _pins()
    for requirement in _requirements():
        pinned = pins.get(canonicalize_name(requirement.name))
        assert pinned is not None, f"{requirement.name} is not in constraints.txt"
        assert requirement.specifier.contains(pinned, prereleases=True), (
            f"{requirement.name}=={pinned} is outside pyproject.toml's {requirement.specifier}"
        )


def test_setup_and_the_image_install_through_the_pins() -> None:
    makefile = (ROOT / "Makefile").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert 'pip install --quiet -c constraints.txt -e ".[dev]"' in makefile
    assert "pip install --no-cache-dir -c constraints.txt ." in dockerfile
