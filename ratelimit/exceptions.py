"""Rate-limit errors."""

from __future__ import annotations


class BackendUnavailable(Exception):
    """The counter store did not answer (Redis down, timeout, refused connection).

    Never reaches a view: the limiter applies the tier's `when_unavailable` mode.
    """
