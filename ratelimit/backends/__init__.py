"""Counter stores: `RATELIMIT_BACKEND` names one by dotted path."""

from __future__ import annotations

import threading

from django.conf import settings
from django.utils.module_loading import import_string

from ratelimit.backends.base import BaseBackend, Usage

__all__ = ["BaseBackend", "Usage", "get_backend", "reset_backends"]

_instances: dict[str, BaseBackend] = {}
_lock = threading.Lock()


def get_backend() -> BaseBackend:
    """The configured backend, imported on first use and kept for the process.

    One instance per dotted path, so the in-memory store keeps its counters
    across requests and a settings override in tests picks another instance.
    """
    path = settings.RATELIMIT_BACKEND
    backend = _instances.get(path)
    if backend is None:
        with _lock:
            backend = _instances.get(path)
            if backend is None:
                backend = import_string(path)()
                _instances[path] = backend
    return backend


def reset_backends() -> None:
    """Forget every instance (tests: in-memory counters start empty)."""
    with _lock:
        _instances.clear()
