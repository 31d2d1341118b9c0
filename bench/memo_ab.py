"""What `{% memo %}` saves per page: the same pages with blocks kept, missed, and untagged.

`python -m bench.page_cpu` run twice (before and after a change) compares two processes
minutes apart, which this machine's neighbours can move by a third. Here one process
seeds what bench.page_cpu seeds, then times each page in interleaved rounds with
core/templatetags/memo.py's blocks kept (as served to someone coming back), missed (the
store emptied before each request: every request is someone's first, key, render and
store paid) and rendered without the tag (as before it), and prints the median CPU ms
per request of each.

    python -m bench.memo_ab [N]     # N requests per round, 16 rounds (default 40)
    PAGE_CPU_ONLY=devices python -m bench.memo_ab   # some of the pages

Same settings and environment as bench.page_cpu (DATABASE_URL, REDIS_URL).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

from bench import page_cpu


def _ab(app: Callable[..., Iterable[bytes]], environ: dict[str, Any], n: int) -> dict[str, float]:
    from core.templatetags.memo import MemoNode

    kept = MemoNode.render

    def afresh(node: MemoNode, context: Any) -> str:
        return node.nodelist.render(context)

    def missed(node: MemoNode, context: Any) -> str:
        with node.lock:
            node.store.clear()
            node.chars = 0
        return kept(node, context)

    def use(render: Any) -> Callable[[], None]:
        def switch() -> None:
            MemoNode.render = render  # type: ignore[method-assign]

        return switch

    variants = [("kept", use(kept)), ("missed", use(missed)), ("afresh", use(afresh))]
    try:
        return page_cpu.interleaved(app, environ, n, variants)
    finally:
        MemoNode.render = kept  # type: ignore[method-assign]


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 40
    page_cpu.collect_static()
    # The HTML pages (healthz and the API render no template).
    os.environ.setdefault("PAGE_CPU_ONLY", "devices,org dashboard,personal dashboard,members,files")
    results = page_cpu._pacetrack(n, measure=_ab)
    print(f"{'page':<22} {'kept ms':>9} {'missed ms':>10} {'no tag ms':>10} {'kept saves':>11}")
    for name, r in results.items():
        saved = 1 - r["kept"] / r["afresh"]
        print(
            f"{name:<22} {r['kept']:>9.3f} {r['missed']:>10.3f} {r['afresh']:>10.3f} {saved:>11.0%}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
