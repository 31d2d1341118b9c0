"""The v1 JSON API: one NinjaAPI, its operations, and the one place errors become
RFC 9457 problem details.

Every operation runs inside `api.auth.key_pipeline` (key, rate limit, audit name,
idempotency). The schema is served at /api/v1/openapi.json; /api/v1/docs/ renders it.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationErrorContext
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from api.auth import KeyBearer, ScopeMissing, key_pipeline
from api.exceptions import BodyNotJson
from api.problems import body_too_large, problem
from api.routes import audit as audit_routes
from api.routes import files, members, organisation, teams
from core.exceptions import DomainError, refusal_message

DESCRIPTION = """\
The organisation's members, invitations, teams, roles, files and audit log.

Authenticate with an organisation API key: `Authorization: Bearer pt_live_…`
(created under the organisation's Settings → API keys). A key acts as the
organisation with the permissions chosen for it. Errors are `application/problem+json`
(RFC 9457), our own failures (500, 503) included; lists are cursor-paginated
(`next_cursor`); POSTs accept an `Idempotency-Key` header (the body compared byte for
byte); every answer counted against the key's rate (an operation's, errors included,
and 429; not 401, 405, 413 or a path with no operation) carries `X-RateLimit-Limit`,
`-Remaining` and `-Reset`, and, for a key that expires, `API-Key-Expires` (when,
RFC 3339).
"""


class JsonBodyParser(Parser):
    """ninja's JSON parser, with a refusal a client can act on: ninja answers any parse
    error as "Cannot parse request body" (with the parser's own message under DEBUG)."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            return json.loads(request.body)
        except json.JSONDecodeError as exc:
            raise BodyNotJson(
                f"The request body is not valid JSON (line {exc.lineno}, column {exc.colno})."
            ) from exc
        except (UnicodeDecodeError, RecursionError) as exc:  # not UTF-8; nested too deep
            raise BodyNotJson("The request body is not valid JSON.") from exc


class PacetrackApi(NinjaAPI):
    def get_openapi_operation_id(self, operation: Any) -> str:
        return str(operation.view_func.__name__)  # members_list, files_upload…

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> NinjaValidationError:
        """Locations name each field once, as the client sent it: ninja reads a JSON body
        as one parameter (`body`) and puts its name after the source, ["body", "body",
        "name"]; the client sent ["body", "name"]."""
        errors = []
        for context in error_contexts:
            parameter = getattr(context.model, "__read_from_single_attr__", None)
            for error in super().validation_error_from_error_contexts([context]).errors:
                source, *path = error["loc"]
                if parameter and path[:1] == [parameter]:
                    path = path[1:]
                errors.append({**error, "loc": (source, *path)})
        return NinjaValidationError(errors)

    def operation_scopes(self) -> dict[str, str]:
        """The permission each operation needs (`KeyBearer(scope=...)`), by operation id."""
        return {
            self.get_openapi_operation_id(operation): auth.scope
            for _prefix, router in self._routers
            for path_view in router.path_operations.values()
            for operation in path_view.operations
            for auth in operation.auth_callbacks
            if isinstance(auth, KeyBearer) and auth.scope
        }

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        """Built once per process and prefix: ninja rebuilds it from every operation's
        models on each call (~140 ms for a public, unauthenticated URL), and the routes
        cannot change while the process runs. Callers read it, never change it."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        schemas: dict[str, Any] = self.__dict__.setdefault("_openapi_schemas", {})
        if path_prefix not in schemas:
            schemas[path_prefix] = self._openapi_schema_build(path_prefix)
        return schemas[path_prefix]

    def _openapi_schema_build(self, path_prefix: str) -> Any:
        """Errors are documented as what they are: application/problem+json. An operation
        that needs a permission names it in its security requirement (OpenAPI 3.1 lets a
        bearer scheme list the roles it needs; ninja always writes an empty list)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix)
        scopes = self.operation_scopes()
        for methods in schema["paths"].values():
            for operation in methods.values():
                scope = scopes.get(operation.get("operationId", ""))
                if scope:
                    operation["security"] = [{KeyBearer.__name__: [scope]}]
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content["application/problem+json"] = content.pop("application/json")
        return schema


api = PacetrackApi(
    title="Pacetrack API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=KeyBearer(),
    parser=JsonBodyParser(),
    docs_url=None,  # our own page (api/views.py): no CDN, no inline script
)
api.add_decorator(key_pipeline, mode="view")
for module in (organisation, members, teams, files, audit_routes):
    api.add_router("", module.router)


def _handler(status: int, kind: str, detail: Any = None) -> Any:
    def handle(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem(status, detail or refusal_message(exc), kind=kind)

    return handle


def _validation(request: HttpRequest, exc: Any) -> HttpResponse:
    if isinstance(exc, NinjaValidationError):
        errors = [
            {"loc": [str(part) for part in e.get("loc", ())], "msg": e.get("msg", "")}
            for e in exc.errors
        ]
        return problem(422, "The request is not valid.", kind="invalid", errors=errors)
    assert isinstance(exc, DjangoValidationError)
    return problem(
        422, "; ".join(exc.messages), kind="invalid", errors=_service_errors(request, exc)
    )


def _service_errors(request: HttpRequest, exc: DjangoValidationError) -> list[dict[str, Any]]:
    """A service's refusal (a name already taken, an address that is not one), located
    like ninja's own errors: the field the service names is the one the client sent, in
    the body, or in the file part of an upload; a refusal of no one field is the whole."""
    source = "file" if request.content_type == "multipart/form-data" else "body"
    if not hasattr(exc, "error_dict"):
        return [{"loc": [source], "msg": message} for message in exc.messages]
    return [
        {"loc": [source] if field == NON_FIELD_ERRORS else [source, field], "msg": message}
        for field, errors in exc.error_dict.items()
        for message in DjangoValidationError(errors).messages
    ]


def _domain(request: HttpRequest, exc: Any) -> HttpResponse:
    """A service refused: 403 when the rule is about permission (an escalation, a plan
    cap), 429 with Retry-After when it is about pace (a refusal carrying `retry_after`,
    such as an invitation resent within a minute), 409 when it is about the
    organisation's state (last owner, already a member)."""
    if isinstance(exc, PermissionDenied):
        kind = "plan-limit" if hasattr(exc, "upgrade_url") else "forbidden"
        return problem(403, refusal_message(exc), kind=kind)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:  # a pace, answered as the key's own rate limit is
        headers = {"Retry-After": str(retry_after)}
        return problem(429, refusal_message(exc), kind="rate-limited", headers=headers)
    return problem(409, refusal_message(exc), kind="conflict")


def _body_too_large(request: HttpRequest, exc: Any) -> HttpResponse:
    """A body whose Content-Length passed the middleware's allowance (core.request_limits
    adds a form's multipart overhead) but not Django's own limit when it is read:
    RequestDataTooBig is a SuspiciousOperation, which would otherwise answer 404."""
    return body_too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def _http_error(request: HttpRequest, exc: Any) -> HttpResponse:
    assert isinstance(exc, HttpError)
    if isinstance(exc.__cause__, BodyNotJson):  # ninja wraps what the parser raised
        return problem(400, str(exc.__cause__), kind="bad-request")
    return problem(exc.status_code, str(exc))


api.add_exception_handler(Http404, _handler(404, "not-found", "No such object here."))
api.add_exception_handler(RequestDataTooBig, _body_too_large)
api.add_exception_handler(SuspiciousOperation, _handler(404, "not-found", "No such object here."))
api.add_exception_handler(ScopeMissing, _handler(403, "insufficient-scope"))
api.add_exception_handler(DomainError, _domain)
api.add_exception_handler(PermissionDenied, _handler(403, "forbidden"))
api.add_exception_handler(BadRequest, _handler(400, "bad-request"))
api.add_exception_handler(NinjaValidationError, _validation)
api.add_exception_handler(DjangoValidationError, _validation)
api.add_exception_handler(AuthenticationError, _handler(401, "unauthorized"))
api.add_exception_handler(HttpError, _http_error)
