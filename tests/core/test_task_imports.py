"""Task modules sit in no import cycle.

django-tasks stores a queued task by its dotted path, so each app's tasks stay in
`<app>/tasks.py`. That module imports the worker side (the code the tasks run) and
the enqueue side imports it, at the top of the module; nothing the tasks run may
import them back, not even inside a function (grimp counts those imports too).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]


def test_no_task_module_is_part_of_an_import_cycle() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    graph = grimp.build_graph(*config["root_packages"], exclude_type_checking_imports=True)
    task_modules = sorted(m for m in graph.modules if m.endswith(".tasks"))
    assert {"accounts.tasks", "billing.tasks"} <= set(task_modules)

    cycles = {
        module: sorted(graph.find_upstream_modules(module) & graph.find_downstream_modules(module))
        for module in task_modules
    }

    assert cycles == {module: [] for module in task_modules}
