"""Two services at the same moment on two PostgreSQL connections, for the tests of what
the locks serialise: the first holds its transaction open while the second starts."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connections, transaction


def first_holds_then_second(
    first: Callable[[], Any], second: Callable[[], Any], *, hold: float = 0.5
) -> tuple[Any, Any]:
    """`first` runs in a transaction kept open `hold` seconds after it returns; `second`
    starts meanwhile. Each one's outcome: what it returned, or the exception it raised."""
    first_done = threading.Event()
    outcomes: dict[str, Any] = {}

    def run(name: str, work: Callable[[], Any], *, holds: bool) -> None:
        try:
            with transaction.atomic():
                outcomes[name] = work()
                if holds:  # done, not yet committed: the other starts now
                    first_done.set()
                    time.sleep(hold)
        except BaseException as error:  # reported by the caller
            outcomes[name] = error
        finally:
            first_done.set()
            connections.close_all()

    a = threading.Thread(target=run, args=("first", first), kwargs={"holds": True})
    a.start()
    assert first_done.wait(10)
    b = threading.Thread(target=run, args=("second", second), kwargs={"holds": False})
    b.start()
    a.join()
    b.join()
    return outcomes["first"], outcomes["second"]
