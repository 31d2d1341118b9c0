from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from config import health


@pytest.fixture(autouse=True)
def _fresh_readyz() -> Iterator[None]:
    """Each test sees its own checks, not the result cached by the previous one."""
    health.readyz_cache_clear()
    yield
    health.readyz_cache_clear()


def test_healthz_answers_without_touching_any_service(client: Any) -> None:
    # No django_db mark: pytest-django fails the test if the view touches the database.
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ok_when_every_dependency_answers(client: Any) -> None:
    response = client.get("/readyz/")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) >= {"database", "storage"}
    assert all(result == "ok" for result in body["checks"].values())


@pytest.mark.django_db
def test_readyz_names_redis_when_redis_is_unreachable(client: Any, settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    response = client.get("/readyz/")
    body = response.json()
    assert response.status_code == 503
    assert body["failing"] == ["redis"]
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db
@pytest.mark.s3
def test_readyz_checks_s3_storage(client: Any, s3_storage: Any, settings: Any) -> None:
    assert client.get("/readyz/").status_code == 200
    settings.STORAGES["default"]["OPTIONS"]["endpoint_url"] = "http://127.0.0.1:1"
    settings.STORAGES = dict(settings.STORAGES)  # re-assign so Django rebuilds the storage
    health.readyz_cache_clear()
    response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]


@pytest.mark.django_db
def test_a_flood_of_readyz_requests_runs_the_checks_once_per_interval(
    client: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):  # the database check's SELECT 1
        assert client.get("/readyz/").status_code == 200
    with django_assert_num_queries(0):
        for _ in range(50):
            assert client.get("/readyz/").json()["status"] == "ok"


@pytest.mark.django_db
def test_readyz_reports_an_outage_as_soon_as_its_short_cache_expires(
    client: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "READYZ_CACHE_SECONDS", 0.2)
    assert client.get("/readyz/").status_code == 200
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    assert client.get("/readyz/").status_code == 200  # still the cached answer
    time.sleep(0.25)
    assert client.get("/readyz/").json()["failing"] == ["redis"]


@pytest.mark.django_db
@pytest.mark.s3
def test_a_stalled_storage_is_failing_within_the_deadline_not_after_its_timeouts(
    client: Any, s3_storage: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An operator pointed S3 at a listener that never answers: the probe took 30 s,
    gunicorn killed the worker (a 500, not the 503) and /healthz/ waited behind it."""
    monkeypatch.setattr(health, "STORAGE_DEADLINE_SECONDS", 0.5)
    stalled = socket.create_server(("127.0.0.1", 0))  # accepts (the backlog), never answers
    try:
        settings.STORAGES["default"]["OPTIONS"]["endpoint_url"] = (
            f"http://127.0.0.1:{stalled.getsockname()[1]}"
        )
        settings.STORAGES = dict(settings.STORAGES)
        started = time.monotonic()
        response = client.get("/readyz/")
        took = time.monotonic() - started
        health.readyz_cache_clear()
        again = client.get("/readyz/")  # the first call still waits: not a second one
    finally:
        stalled.close()

    assert response.status_code == again.status_code == 503
    assert response.json()["checks"]["storage"] == "failing: StorageTimeout"
    assert took < 5, took
