from __future__ import annotations

from typing import Any

import pytest


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
    response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]
