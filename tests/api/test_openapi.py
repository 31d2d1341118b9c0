"""The published schema is valid OpenAPI 3.1 and describes what the server does: one
request per operation, built from the schema alone, gets a documented answer."""

from __future__ import annotations

from typing import Any

import ninja.main
import pytest
import requests
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openapi_spec_validator import validate

from api.v1 import api
from tests.api.conftest import World, build_org

# Destructive operations go last, so that every other one still finds its objects.
LAST_WORDS = ("/remove", "/delete", "/cancel")


def _schema(live_server: Any) -> dict[str, Any]:
    response = requests.get(f"{live_server.url}/api/v1/openapi.json", timeout=10)
    assert response.status_code == 200
    return response.json()


def _value(name: str, schema: dict[str, Any], ids: dict[str, int], components: dict) -> Any:
    """A value of the right type, real ids for *_id fields."""
    if "$ref" in schema:
        return _body(components[schema["$ref"].rsplit("/", 1)[1]], ids, components)
    if name in ids:
        return ids[name]
    if name == "team_ids":
        return [ids["team_id"]]
    if name == "email":
        return "generated@example.com"
    kind = schema.get("type") or next(
        (s.get("type") for s in schema.get("anyOf", []) if s.get("type") != "null"), "string"
    )
    return {"integer": 1, "string": f"generated {name}", "array": [], "boolean": False}[kind]


def _body(schema: dict[str, Any], ids: dict[str, int], components: dict) -> dict[str, Any]:
    properties = schema.get("properties", {})
    return {
        name: _value(name, properties[name], ids, components)
        for name in schema.get("required", list(properties))
    }


def test_the_schema_is_valid_openapi_3_1(world: World, live_server: Any) -> None:
    schema = _schema(live_server)
    assert schema["openapi"].startswith("3.1")
    validate(schema)


def test_every_operation_answers_as_documented(world: World, live_server: Any) -> None:
    schema = _schema(live_server)
    components = schema["components"]["schemas"]
    ids = world.acme.ids()
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    operations.sort(key=lambda op: op[0].endswith(LAST_WORDS))
    assert len(operations) >= 20
    undocumented = {}
    for path, method, operation in operations:
        url = live_server.url + path.format(**ids)
        kwargs: dict[str, Any] = {
            "headers": {"Authorization": f"Bearer {world.acme.key}"},
            "timeout": 10,
        }
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            kwargs["json"] = _body(content["application/json"]["schema"], ids, components)
        elif "multipart/form-data" in content:
            kwargs["files"] = {"file": ("generated.txt", b"generated", "text/plain")}
        response = requests.request(method.upper(), url, **kwargs)
        documented = operation["responses"].get(str(response.status_code))
        media = response.headers.get("Content-Type", "").split(";")[0]
        if documented is None or (
            "content" in documented and not {media, "*/*"} & set(documented["content"])
        ):
            undocumented[f"{method.upper()} {path}"] = (response.status_code, media)
        assert response.status_code < 500
    assert undocumented == {}


def test_the_docs_page_lists_every_operation(world: World, live_server: Any) -> None:
    schema = _schema(live_server)
    page = requests.get(f"{live_server.url}/api/v1/docs/", timeout=10)
    assert page.status_code == 200
    for methods in schema["paths"].values():
        for operation in methods.values():
            assert f'id="{operation["operationId"]}"' in page.text
    assert "cdn" not in page.text.lower()


@pytest.mark.django_db
@pytest.mark.redis
def test_listing_members_costs_three_queries_and_one_redis_round_trip(
    client: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from redis.connection import Connection

    settings.RATELIMIT_BACKEND = "ratelimit.backends.redis.RedisBackend"
    org = build_org("Acme")
    auth = {"Authorization": f"Bearer {org.key}"}
    assert client.get("/api/v1/members", headers=auth).status_code == 200  # loads the script
    sent: list[Any] = []
    original = Connection.send_packed_command

    def counting(conn: Connection, command: Any, *args: Any, **kwargs: Any) -> None:
        sent.append(command)
        original(conn, command, *args, **kwargs)

    monkeypatch.setattr(Connection, "send_packed_command", counting)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/members", headers=auth)
    assert response.status_code == 200
    assert len(response.json()["data"]) == 2
    assert len(queries) <= 3, [q["sql"] for q in queries]
    assert len(sent) == 1


def test_the_schema_is_built_once_per_process_not_per_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A public URL that cost ~140 ms of CPU a request: anyone could keep a worker busy."""
    built = []
    build = ninja.main.get_schema

    def counted(**kwargs: Any) -> Any:
        built.append(kwargs["path_prefix"])
        return build(**kwargs)

    monkeypatch.setattr(ninja.main, "get_schema", counted)
    monkeypatch.delitem(api.__dict__, "_openapi_schemas", raising=False)
    client = Client()

    first = client.get("/api/v1/openapi.json")
    second = client.get("/api/v1/openapi.json")

    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert len(built) == 1
    assert second.json()["paths"]["/api/v1/invitations"]["post"]["security"] == [
        {"KeyBearer": ["members.invite"]}
    ]
