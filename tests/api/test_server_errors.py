"""A failure on our side under /api/ is a problem document too, never the site's HTML
500 or 503 page: 503 with Retry-After when a backing service is down
(config.errors.is_service_unavailable), 500 otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from api.problems import CONTENT_TYPE, TYPE_BASE
from tests.api.conftest import Org, build_org
from uploads.storage import storage_delete_quietly


@pytest.fixture
def acme(db: None) -> Org:
    return build_org("Acme")


@pytest.fixture
def server() -> Client:
    """A client that gets the answer a server would send, not the exception."""
    return Client(raise_request_exception=False)


def test_an_operation_that_fails_is_a_500_problem(server: Client, acme: Org) -> None:
    storage_delete_quietly(key=acme.file.key)  # the stored bytes are lost

    response = server.get(
        f"/api/v1/files/{acme.file.pk}/content", headers={"Authorization": f"Bearer {acme.key}"}
    )

    assert response.status_code == 500 and response["Content-Type"] == CONTENT_TYPE
    body = response.json()
    assert body["type"] == TYPE_BASE + "server-error" and body["status"] == 500
    assert body["title"] == "Internal server error" and "our side" in body["detail"]


def test_a_database_that_does_not_answer_is_a_503_problem_with_retry_after(
    server: Client, settings: Any
) -> None:
    settings.ROOT_URLCONF = "tests.api.urls_failing"

    response = server.get("/api/v1/test/database-gone")

    assert response.status_code == 503 and response["Content-Type"] == CONTENT_TYPE
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["type"] == TYPE_BASE + "service-unavailable" and body["status"] == 503
    assert "10.0.0.5" not in body["detail"]  # nothing of what failed is told
