"""Jobs for the scheduler's tests, named by dotted path in SCHEDULE like real ones."""

from __future__ import annotations

CALLS: list[str] = []


def record(label: str = "ran") -> str:
    CALLS.append(label)
    return f"recorded {label}"


def explode() -> str:
    raise RuntimeError("the job broke")
