"""handler500: a database or Redis outage is a clean 503 page, anything else a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError, connection
from redis.exceptions import ConnectionError as RedisConnectionError

from config.errors import is_service_unavailable, server_error


def _database_down(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


@pytest.mark.django_db
def test_signed_in_page_during_a_database_outage_is_a_friendly_503(auth_client: Any) -> None:
    auth_client.raise_request_exception = False
    with connection.execute_wrapper(_database_down):
        response = auth_client.get("/account/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.content.decode()
    assert "be right back" in body
    assert "Traceback" not in body
    assert "OperationalError" not in body


@pytest.mark.django_db
def test_pages_serve_again_once_the_database_answers(auth_client: Any) -> None:
    auth_client.raise_request_exception = False
    with connection.execute_wrapper(_database_down):
        assert auth_client.get("/account/").status_code == 503
    assert auth_client.get("/account/").status_code == 200


def test_redis_connection_error_is_a_503(rf: Any) -> None:
    try:
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379")
    except RedisConnectionError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503


def test_a_wrapped_outage_is_still_recognised() -> None:
    try:
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError as exc:
            raise RuntimeError("while rendering") from exc
    except RuntimeError as outer:
        assert is_service_unavailable(outer)


def test_other_errors_stay_a_500_page(rf: Any) -> None:
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "a bug" not in response.content.decode()


def test_unreachable_s3_is_a_503(rf: Any) -> None:
    from botocore.exceptions import EndpointConnectionError

    try:
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9/bucket")
    except EndpointConnectionError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503


@pytest.mark.parametrize("name", ["400", "403", "404", "413", "429", "500", "503"])
def test_every_error_page_carries_the_favicon(rf: Any, name: str) -> None:
    from django.template import loader

    from config.context_processors import site

    # As handler500 renders them: no request context, nothing that could query a service.
    html = loader.render_to_string(f"errors/{name}.html", site(rf.get("/")))
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert 'id="main"' in html
