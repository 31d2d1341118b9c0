"""The reference page's model of the API, read from the OpenAPI schema the code produces.

The schema depends on the code alone, so it is read once per process (`api_reference`);
what depends on the reader's language (permission names, the errors table's words) is
read when the page renders. Field names, types and constraints are API identifiers and
stay as the schema spells them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from api.v1 import api
from core.permissions import PERMISSIONS, Permission

# What a field's schema may limit, shown as the schema says it (`maxLength: 254`).
CONSTRAINTS = ("minLength", "maxLength", "minimum", "maximum", "pattern", "enum", "default")

# The routers' tags, as the page's headings (the schema keeps the English tag).
TAG_HEADINGS: dict[str, Promise] = {
    "Organisation": _("Organisation"),
    "Members": _("Members"),
    "Teams": _("Teams"),
    "Files": _("Files"),
    "Audit log": _("Audit log"),
}

# The problem types of docs/api.md ("Errors"), each with when it is sent; the `type` is
# https://pacetrack.dev/problems/<kind> (api.problems.TYPE_BASE).
PROBLEM_TYPES: tuple[tuple[int, tuple[str, ...], Promise], ...] = (
    (
        400,
        ("bad-request",),
        _(
            "A body that is not JSON (the detail says where: line and column), a cursor "
            "this API did not give out, a malformed Idempotency-Key."
        ),
    ),
    (
        401,
        ("unauthorized",),
        _("No key, an unknown key, a revoked or an expired key (with WWW-Authenticate: Bearer)."),
    ),
    (
        403,
        ("insufficient-scope", "forbidden", "plan-limit", "two-factor-required"),
        _(
            "The key lacks the operation's permission (checked before the body and "
            "parameters are read); a rule of the organisation refuses it (an owner, a role "
            "beyond the key's); the plan's limit, or a plan without API keys (the key is "
            "kept and works again after an upgrade); the organisation requires two-factor "
            "authentication and the key's creator has not set it up (it works again once "
            "they do)."
        ),
    ),
    (
        404,
        ("not-found",),
        _(
            "No such object in this organisation (another organisation's ids included), or "
            "no operation at that path (paths have no trailing slash)."
        ),
    ),
    (
        405,
        ("method-not-allowed",),
        _("A method the path does not take (Allow and the detail name those it does)."),
    ),
    (
        413,
        ("content-too-large",),
        _(
            "A file over the upload limit (POST /files), or any other body over what the "
            "server reads into memory (DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB by default)."
        ),
    ),
    (
        409,
        ("conflict", "idempotency-in-progress"),
        _(
            "The organisation's state refuses it (already a member, the last owner…); the "
            "first request with this Idempotency-Key is still running."
        ),
    ),
    (
        422,
        ("invalid", "idempotency-key-reused"),
        _(
            "The body or parameters are invalid (errors lists each one: where it was sent, "
            "then the field's path, and why); the Idempotency-Key was used for another "
            "request."
        ),
    ),
    (
        429,
        ("rate-limited",),
        _(
            "Over the key's rate; an invitation resent within a minute of its last email "
            "(Retry-After says when to try again)."
        ),
    ),
    (
        500,
        ("server-error",),
        _(
            "Something failed on our side (it is logged; request_id names its log lines); a "
            "request with an Idempotency-Key may be retried, as server errors are not stored."
        ),
    ),
    (
        503,
        ("service-unavailable",),
        _(
            "A service the API needs (the database, Redis, file storage) is not answering "
            "(Retry-After says when to try again)."
        ),
    ),
)


@dataclass(frozen=True)
class Field:
    """A parameter, or a field of a body: `name` is its path (`data[].user.email`)."""

    name: str
    type: str
    required: bool
    constraints: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Operation:
    id: str
    method: str
    path: str
    tag: str
    summary: str
    description: str
    scope: str  # the permission code the key needs, "" for any key
    path_parameters: tuple[Field, ...]
    query_parameters: tuple[Field, ...]
    body_media: str
    body: tuple[Field, ...]
    success: str  # "200 application/json", "204"
    success_description: str
    response: tuple[Field, ...]
    errors: tuple[str, ...]

    @property
    def permission(self) -> Permission | None:
        """The permission as the keys page names it, in the active language."""
        return next((p for p in PERMISSIONS if p.code == self.scope), None)


class _Reader:
    def __init__(self, components: dict[str, Any]) -> None:
        self.components = components

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.components[schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def _not_null(self, schema: dict[str, Any]) -> dict[str, Any]:
        """`X | None` as X (its type says "| null")."""
        schema = self.resolve(schema)
        options = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
        return self.resolve(options[0]) if len(options) == 1 else schema

    def type_of(self, schema: dict[str, Any]) -> str:
        schema = self.resolve(schema)
        if "anyOf" in schema:
            return " | ".join(self.type_of(option) for option in schema["anyOf"])
        kind = schema.get("type", "object" if "properties" in schema else "any")
        if kind == "array":
            return f"array of {self.type_of(schema.get('items', {}))}"
        return f"{kind} ({schema['format']})" if "format" in schema else str(kind)

    def fields(self, schema: dict[str, Any], prefix: str = "") -> list[Field]:
        """Every field of an object, nested objects' fields after their own line."""
        schema = self.resolve(schema)
        required = set(schema.get("required", []))
        found = []
        for name, field in schema.get("properties", {}).items():
            found.append(self.field(prefix + name, field, required=name in required))
            inner = self._not_null(field)
            if inner.get("type") == "array":
                inner, name = self._not_null(inner.get("items", {})), f"{name}[]"
            if "properties" in inner:
                found += self.fields(inner, prefix=f"{prefix}{name}.")
        return found

    def field(
        self, name: str, schema: dict[str, Any], *, required: bool, description: str = ""
    ) -> Field:
        plain = self._not_null(schema)
        constraints = tuple(
            f"{key}: {json.dumps(plain[key], ensure_ascii=False)}"
            for key in CONSTRAINTS
            if key in plain
        )
        return Field(
            name=name,
            type=self.type_of(schema),
            required=required,
            constraints=constraints,
            description=description
            or schema.get("description", "")
            or plain.get("description", ""),
        )

    def parameters(self, operation: dict[str, Any], where: str) -> tuple[Field, ...]:
        return tuple(
            self.field(
                p["name"],
                p.get("schema", {}),
                required=p.get("required", False),
                description=p.get("description", ""),
            )
            for p in operation.get("parameters", [])
            if p["in"] == where
        )

    def operation(self, path: str, method: str, operation: dict[str, Any]) -> Operation:
        security = operation.get("security") or [{}]
        scopes = [scope for scopes in security[0].values() for scope in scopes]
        body_content = operation.get("requestBody", {}).get("content", {})
        nothing: tuple[str, dict[str, Any]] = ("", {})
        body_media, body_schema = next(iter(body_content.items()), nothing)
        responses = {str(code): answer for code, answer in operation.get("responses", {}).items()}
        success = min(code for code in responses if code.startswith("2"))
        answer = responses[success]
        answer_media, answer_schema = next(iter(answer.get("content", {}).items()), nothing)
        return Operation(
            id=operation.get("operationId", ""),
            method=method.upper(),
            path=path,
            tag=(operation.get("tags") or ["Other"])[0],
            summary=operation.get("summary", ""),
            description=operation.get("description", ""),
            scope=scopes[0] if scopes else "",
            path_parameters=self.parameters(operation, "path"),
            query_parameters=self.parameters(operation, "query"),
            body_media=body_media,
            body=tuple(self.fields(body_schema.get("schema", {}))),
            success=f"{success} {answer_media}".strip(),
            success_description=answer.get("description", ""),
            response=tuple(self.fields(answer_schema.get("schema", {}))),
            errors=tuple(sorted(code for code in responses if int(code) >= 400)),
        )


@cache
def api_reference() -> tuple[dict[str, Any], tuple[Operation, ...], tuple[Field, ...]]:
    """The schema's `info`, every operation, and the fields of a problem (errors)."""
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    reader = _Reader(schema["components"]["schemas"])
    operations = tuple(
        reader.operation(path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    )
    return (
        schema["info"],
        operations,
        tuple(reader.fields({"$ref": "#/components/schemas/Problem"})),
    )
