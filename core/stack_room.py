"""Run a worker's request loop where CPython 3.11 will not allocate and free stack memory
on every call.

CPython 3.11 keeps Python frames in 16 KB chunks of memory, allocated with `mmap` when a
call does not fit in the current chunk and unmapped as soon as the first frame of a chunk
returns. Code that calls in a loop right at a chunk's edge maps and unmaps a chunk per
call: CPython's own issue gh-142183 ("Calls across stack chunks perform badly"), fixed
upstream in 2026 by keeping one spare chunk per thread (gh-145789), not in 3.11.

Our signed-in pages sit exactly there: a request reaches the view about 64 frames deep
(the middleware), and the template's nodes call in and out around the first chunk's
16 KB edge thousands of times per page. Measured in one process (`python -m
bench.stack_ab`), a page's template renders two to three times slower inside a request
than the same template with the same context rendered outside one; the rest of the
interpreter is not slower.

`run_with_stack_room(func)` calls `func` from a frame declared too large for a 16 KB
chunk (its code's stack size raised, never used), so CPython gives that frame a 128 KB
chunk of its own, and everything `func` calls runs in the 70 KB left in it: the deepest
page measured peaks near 22 KB. The chunk stays while `func` runs. gunicorn's
`post_worker_init` (config/gunicorn.conf.py) runs each worker's whole request loop
through it, so no request pays a mapping; untouched pages of the chunk are never made
resident. On a CPython that keeps a spare chunk this changes nothing but where the frames
live.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# Words (8 bytes each) of stack declared for the calling frame. CPython 3.11 sizes a new
# chunk as the frame plus 1,000 words, rounded up to 16 KB times a power of two: from
# about 7,200 words up, that is a 16,384-word (128 KB) chunk; below, a 64 KB one with
# only ~1,000 words to spare. 7,400 leaves a margin on both sides: ~8,970 words free.
ROOM_WORDS = 7_400


def _call(func: Callable[[], T]) -> T:
    return func()


_call.__code__ = _call.__code__.replace(co_stacksize=_call.__code__.co_stacksize + ROOM_WORDS)


def run_with_stack_room(func: Callable[[], T]) -> T:
    """`func()`, with ~70 KB of frame stack beneath it that no call maps or unmaps."""
    return _call(func)
