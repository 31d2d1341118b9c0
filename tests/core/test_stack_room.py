"""`run_with_stack_room` gives everything it calls a stack chunk with room to spare, so
calls near CPython 3.11's 16 KB chunk edge stop mapping fresh memory on every call
(core/stack_room.py, CPython gh-142183).

Not a timing: a chunk CPython maps is new memory, and the first write to it is a page
fault the kernel counts (`ru_minflt`). A loop of calls that crosses a chunk's edge
faults once per call; the same loop inside the room faults about never.
"""

from __future__ import annotations

import resource
import sys

import pytest

from core.stack_room import run_with_stack_room

CALLS = 1_000
# About 4,000 words of frames (`_at_depth`'s is 16): more than a 16 KB chunk holds (2,048
# words), so one of the depths swept puts the loop's calls on a chunk's edge wherever the
# test starts, and more than the deepest page needs (~2,800 words, docs/performance.md).
LEVELS = 250


def _leaf() -> None:
    return None


# A frame larger than one `_at_depth` level, so that at some depth it cannot fit.
_leaf.__code__ = _leaf.__code__.replace(co_stacksize=_leaf.__code__.co_stacksize + 40)


def _faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def _at_depth(levels: int) -> int:
    """Page faults of CALLS calls made `levels` frames below here."""
    if levels:
        return _at_depth(levels - 1)
    before = _faults()
    for _ in range(CALLS):
        _leaf()
    return _faults() - before


def _worst_depth() -> int:
    return max(_at_depth(levels) for levels in range(LEVELS))


def test_it_returns_what_the_function_returns_and_lets_its_errors_through() -> None:
    assert run_with_stack_room(lambda: "page") == "page"
    with pytest.raises(ZeroDivisionError):
        run_with_stack_room(lambda: 1 / 0)


def test_calls_inside_the_room_do_not_map_memory_per_call() -> None:
    assert run_with_stack_room(_worst_depth) < CALLS / 10


@pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="the chunk-edge cost this avoids is CPython 3.11's"
)
def test_the_same_calls_outside_it_do_at_one_depth() -> None:
    """The control: without the room, one of the depths pays a fault per call."""
    assert _worst_depth() >= CALLS
