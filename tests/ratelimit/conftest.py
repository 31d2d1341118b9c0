from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

CLOSED_PORT_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }
}


@pytest.fixture
def use_redis(settings: Any) -> None:
    settings.RATELIMIT_BACKEND = "ratelimit.backends.redis.RedisBackend"


@pytest.fixture
def use_memory(settings: Any) -> None:
    settings.RATELIMIT_BACKEND = "ratelimit.backends.memory.MemoryBackend"


@pytest.fixture
def redis_commands(monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[Any]]:
    """Call it to start recording the commands sent to Redis; returns the live list.

    Counts what goes over the socket (redis-py's network edge); nothing is faked."""
    from redis.connection import Connection

    def start() -> list[Any]:
        sent: list[Any] = []
        original = Connection.send_packed_command

        def counting(conn: Connection, command: Any, *args: Any, **kwargs: Any) -> None:
            sent.append(command)
            original(conn, command, *args, **kwargs)

        monkeypatch.setattr(Connection, "send_packed_command", counting)
        return sent

    return start


@pytest.fixture
def redis_down(settings: Any) -> None:
    """The Redis backend pointed at a closed port: every call fails to connect."""
    settings.RATELIMIT_BACKEND = "ratelimit.backends.redis.RedisBackend"
    settings.CACHES = CLOSED_PORT_REDIS
