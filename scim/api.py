"""The SCIM 2.0 endpoints (RFC 7644) under `/scim/v2/<org>/`.

Every request is authenticated by the organisation's bearer token (scim/selectors.py
`directory_for_token`): no cookie, no session, no CSRF. Each endpoint maps HTTP to
one selector or service; `scim_endpoint` is the one place that turns refusals into
SCIM errors (`{"schemas": [...Error], "status": "409", "scimType": "uniqueness", ...}`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

import pydantic
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from scim2_models import (
    Context,
    Error,
    Group,
    GroupMember,
    InvalidFilterException,
    InvalidSyntaxException,
    ListResponse,
    NotFoundException,
    NotImplementedException,
    PatchOp,
    ResourceType,
    ResponseParameters,
    Schema,
    SCIMException,
    ScimFilter,
    SearchRequest,
)

from billing.exceptions import PlanLimitReached
from core.client_ip import client_ip
from core.exceptions import DomainError
from core.security_log import security_event
from ratelimit.responses import apply_headers
from ratelimit.services import ratelimit_consume
from scim import resources, selectors, services
from scim.models import Directory, ScimGroup, ScimUser
from tenants.models import Tenant

CONTENT_TYPE = "application/scim+json"


def _json(payload: dict[str, Any], *, status: int = 200) -> HttpResponse:
    response = HttpResponse(json.dumps(payload), status=status, content_type=CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response


def error_response(status: int, detail: str, *, scim_type: str | None = None) -> HttpResponse:
    error = Error(status=status, scim_type=scim_type, detail=detail)
    return _json(error.model_dump(scim_ctx=Context.DEFAULT), status=status)


def _from_exception(exc: SCIMException) -> HttpResponse:
    error = exc.to_error()
    return _json(error.model_dump(scim_ctx=Context.DEFAULT), status=int(error.status or 400))


def _validation_detail(exc: pydantic.ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return f"{where}: {first.get('msg', 'invalid value')}" if where else first.get("msg", "")


class Call:
    """What an endpoint gets: the organisation, its directory and its base URL."""

    def __init__(self, request: HttpRequest, directory: Directory) -> None:
        self.request = request
        self.directory = directory
        self.tenant: Tenant = directory.tenant
        self.base_url = f"{settings.SITE_URL}/scim/v2/{self.tenant.slug}"

    def body(self) -> dict[str, Any]:
        try:
            data = json.loads(self.request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            raise InvalidSyntaxException(detail="The request body is not JSON.") from None
        if not isinstance(data, dict):
            raise InvalidSyntaxException(detail="The request body must be a JSON object.")
        return data

    def response_parameters(self) -> ResponseParameters:
        return ResponseParameters.model_validate(
            {k: v for k, v in self.request.GET.items() if k in ("attributes", "excludedAttributes")}
        )


Handler = Callable[..., HttpResponse]


def scim_endpoint(**handlers: Handler) -> Callable[..., HttpResponse]:
    """A view answering the given methods (`GET=`, `POST=`…) after the rate limit and
    the token check, with every refusal as a SCIM error."""

    @csrf_exempt
    def view(request: HttpRequest, org_slug: str, **kwargs: Any) -> HttpResponse:
        directory = _authenticate(request, org_slug)
        # Per organisation once the token is known; refused tokens count per client IP,
        # so nobody without the token can spend an organisation's budget.
        identity = f"org:{directory.tenant_id}" if directory else f"ip:{client_ip(request)}"
        usage = ratelimit_consume(tier="scim", identity=identity)
        if usage is not None and not usage.allowed:
            security_event("ratelimit.refused", tier="scim", ip=client_ip(request))
            return apply_headers(error_response(429, "Too many requests."), usage)
        if directory is None:
            response = error_response(401, "A valid bearer token is required.")
            response["WWW-Authenticate"] = 'Bearer realm="SCIM"'
            return response
        handler = handlers.get(request.method or "")
        if request.method == "HEAD":
            handler = handlers.get("GET")
        if handler is None:
            response = error_response(405, f"{request.method} is not supported here.")
            response["Allow"] = ", ".join(handlers)
            return response
        services.directory_mark_used(directory=directory)
        response = _answer(handler, Call(request, directory), kwargs)
        return response if usage is None else apply_headers(response, usage)

    return view


def _authenticate(request: HttpRequest, org_slug: str) -> Directory | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    directory = None
    if scheme.lower() == "bearer":
        directory = selectors.directory_for_token(org_slug=org_slug, raw_token=token.strip())
    if directory is None:
        security_event("scim.unauthorized", org=org_slug, ip=client_ip(request))
    return directory


def _answer(handler: Handler, call: Call, kwargs: dict[str, Any]) -> HttpResponse:
    """The one path from a refusal to a SCIM error."""
    try:
        with resources.IDP_POLICY:
            return handler(call, **kwargs)
    except SCIMException as exc:
        return _from_exception(exc)
    except pydantic.ValidationError as exc:
        # scim2-models raises its SCIM errors inside pydantic's (invalidFilter…).
        context = exc.errors()[0].get("ctx") or {}
        return error_response(
            int(context.get("status") or 400),
            _validation_detail(exc),
            scim_type=context.get("scim_type") or "invalidValue",
        )
    except PlanLimitReached as exc:
        return error_response(403, str(exc))
    except DomainError as exc:
        status = 403 if isinstance(exc, PermissionDenied) else 400
        return error_response(status, str(exc), scim_type="invalidValue" if status == 400 else None)
    except ValidationError as exc:
        return error_response(400, " ".join(exc.messages), scim_type="invalidValue")


# --- Discovery ---------------------------------------------------------------------------


def _docs_url() -> str:
    return f"{settings.SITE_URL}/"


def service_provider_config(call: Call) -> HttpResponse:
    config = resources.service_provider_config(base_url=call.base_url, docs_url=_docs_url())
    return _json(config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


def _list(model: type[Any], items: list[Any]) -> dict[str, Any]:
    answer = ListResponse[model](  # type: ignore[valid-type]
        total_results=len(items), start_index=1, items_per_page=len(items), resources=items
    )
    return answer.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)


def resource_type_list(call: Call) -> HttpResponse:
    return _json(_list(ResourceType, resources.resource_types(base_url=call.base_url)))


def resource_type_get(call: Call, type_id: str) -> HttpResponse:
    for rt in resources.resource_types(base_url=call.base_url):
        if rt.id == type_id:
            return _json(rt.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    raise NotFoundException(detail=f"No resource type {type_id}.")


def schema_list(call: Call) -> HttpResponse:
    return _json(_list(Schema, resources.schemas(base_url=call.base_url)))


def schema_get(call: Call, schema_id: str) -> HttpResponse:
    for schema in resources.schemas(base_url=call.base_url):
        if schema.id == schema_id:
            return _json(schema.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    raise NotFoundException(detail=f"No schema {schema_id}.")


# --- Lists -------------------------------------------------------------------------------


# Longer than any filter an IdP sends; a 139 KB one through POST …/.search was parsed and
# matched in Python against every row (a GET's query string is bounded by the server).
MAX_FILTER_LENGTH = 2000


def _search(call: Call, model: type[Any], *, posted: bool) -> tuple[SearchRequest, Any]:
    """The query of a list (GET with parameters) or of a search (POST …/.search)."""
    search: SearchRequest
    if posted:
        search = SearchRequest.model_validate(call.body(), scim_ctx=Context.SEARCH_REQUEST)
    else:
        query = dict(call.request.GET.items())
        search = SearchRequest.model_validate(query, scim_ctx=Context.RESOURCE_QUERY_REQUEST)
    if search.filter and len(str(search.filter)) > MAX_FILTER_LENGTH:
        raise InvalidFilterException(
            detail=f"A filter may be at most {MAX_FILTER_LENGTH} characters long."
        )
    # Bound to the resource's model, so the filter is validated against its attributes.
    bound = cast(Any, ScimFilter)[model]
    scim_filter = bound(str(search.filter)) if search.filter else None
    return search, scim_filter


def _page(model: type[Any], search: SearchRequest, found: list[Any]) -> dict[str, Any]:
    start = max(search.start_index or 1, 1)
    count = resources.MAX_RESULTS if search.count is None else max(search.count, 0)
    page = found[start - 1 : start - 1 + min(count, resources.MAX_RESULTS)]
    answer = ListResponse[model](  # type: ignore[valid-type]
        total_results=len(found), start_index=start, items_per_page=len(page), resources=page
    )
    return answer.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=search)


# --- Users -------------------------------------------------------------------------------


def _user(call: Call, scim_user: ScimUser) -> Any:
    return resources.user_resource(scim_user, base_url=call.base_url)


def user_list(call: Call, *, posted: bool = False) -> HttpResponse:
    search, scim_filter = _search(call, resources.ScimUserResource, posted=posted)
    rows = selectors.narrow(
        selectors.scim_users(tenant=call.tenant), scim_filter, columns=selectors.USER_COLUMNS
    )
    return _json(
        _page(
            resources.ScimUserResource,
            search,
            selectors.matching(rows, scim_filter, lambda r: _user(call, r)),
        )
    )


def user_search(call: Call) -> HttpResponse:
    return user_list(call, posted=True)


def user_create(call: Call) -> HttpResponse:
    resource = resources.ScimUserResource.model_validate(
        call.body(), scim_ctx=Context.RESOURCE_CREATION_REQUEST
    )
    scim_user = services.scim_user_create(
        tenant=call.tenant, fields=resources.user_fields(resource)
    )
    created = _user(
        call, selectors.scim_user_get(tenant=call.tenant, scim_id=str(scim_user.scim_id))
    )
    response = _json(created.model_dump(scim_ctx=Context.RESOURCE_CREATION_RESPONSE), status=201)
    response["Location"] = (created.meta.location if created.meta else None) or ""
    return response


def user_get(call: Call, scim_id: str) -> HttpResponse:
    scim_user = selectors.scim_user_get(tenant=call.tenant, scim_id=scim_id)
    return _json(
        _user(call, scim_user).model_dump(
            scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=call.response_parameters()
        )
    )


def _user_saved(call: Call, scim_id: str, ctx: Context) -> HttpResponse:
    scim_user = selectors.scim_user_get(tenant=call.tenant, scim_id=scim_id)
    return _json(_user(call, scim_user).model_dump(scim_ctx=ctx))


def user_replace(call: Call, scim_id: str) -> HttpResponse:
    scim_user = selectors.scim_user_get(tenant=call.tenant, scim_id=scim_id)
    resource = resources.ScimUserResource.model_validate(
        call.body(), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST
    )
    services.scim_user_update(
        tenant=call.tenant, scim_user=scim_user, fields=resources.user_fields(resource)
    )
    return _user_saved(call, scim_id, Context.RESOURCE_REPLACEMENT_RESPONSE)


def user_patch(call: Call, scim_id: str) -> HttpResponse:
    scim_user = selectors.scim_user_get(tenant=call.tenant, scim_id=scim_id)
    patch = PatchOp[resources.ScimUserResource].model_validate(
        call.body(), scim_ctx=Context.RESOURCE_PATCH_REQUEST
    )
    resource = _user(call, scim_user)
    patch.patch(resource)
    services.scim_user_update(
        tenant=call.tenant, scim_user=scim_user, fields=resources.user_fields(resource)
    )
    return _user_saved(call, scim_id, Context.RESOURCE_PATCH_RESPONSE)


def user_delete(call: Call, scim_id: str) -> HttpResponse:
    scim_user = selectors.scim_user_get(tenant=call.tenant, scim_id=scim_id)
    services.scim_user_delete(tenant=call.tenant, scim_user=scim_user)
    return HttpResponse(status=204)


# --- Groups ------------------------------------------------------------------------------


def _group(call: Call, group: ScimGroup) -> Group:
    members = selectors.scim_group_members(group=group)
    return resources.group_resource(group, base_url=call.base_url, members=members)


def group_list(call: Call, *, posted: bool = False) -> HttpResponse:
    search, scim_filter = _search(call, Group, posted=posted)
    rows = selectors.narrow(
        selectors.scim_groups(tenant=call.tenant), scim_filter, columns=selectors.GROUP_COLUMNS
    )
    return _json(
        _page(Group, search, selectors.matching(rows, scim_filter, lambda r: _group(call, r)))
    )


def group_search(call: Call) -> HttpResponse:
    return group_list(call, posted=True)


def group_create(call: Call) -> HttpResponse:
    resource = Group.model_validate(call.body(), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
    group = services.scim_group_create(
        tenant=call.tenant,
        display_name=resource.display_name or "",
        external_id=resource.external_id or "",
        member_ids=resources.group_member_ids(resource),
    )
    created = _group(call, selectors.scim_group_get(tenant=call.tenant, scim_id=str(group.scim_id)))
    response = _json(created.model_dump(scim_ctx=Context.RESOURCE_CREATION_RESPONSE), status=201)
    response["Location"] = (created.meta.location if created.meta else None) or ""
    return response


def group_get(call: Call, scim_id: str) -> HttpResponse:
    group = selectors.scim_group_get(tenant=call.tenant, scim_id=scim_id)
    return _json(
        _group(call, group).model_dump(
            scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=call.response_parameters()
        )
    )


def _group_update(call: Call, group: ScimGroup, resource: Group) -> None:
    services.scim_group_update(
        tenant=call.tenant,
        group=group,
        display_name=resource.display_name or group.team.name,
        external_id=resource.external_id or "",
        member_ids=resources.group_member_ids(resource),
    )


def group_replace(call: Call, scim_id: str) -> HttpResponse:
    group = selectors.scim_group_get(tenant=call.tenant, scim_id=scim_id)
    resource = Group.model_validate(call.body(), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
    _group_update(call, group, resource)
    group = selectors.scim_group_get(tenant=call.tenant, scim_id=scim_id)
    return _json(_group(call, group).model_dump(scim_ctx=Context.RESOURCE_REPLACEMENT_RESPONSE))


def group_patch(call: Call, scim_id: str) -> HttpResponse:
    group = selectors.scim_group_get(tenant=call.tenant, scim_id=scim_id)
    patch = PatchOp[Group].model_validate(call.body(), scim_ctx=Context.RESOURCE_PATCH_REQUEST)
    resource = _group(call, group)
    # Members by value alone: Entra ID removes with `{"$ref": null, "value": id}`, which
    # must match the member whatever else we would say about it.
    members = [GroupMember.model_validate({"value": m.value}) for m in resource.members or []]
    resource.members = members or None
    patch.patch(resource)
    _group_update(call, group, resource)
    group = selectors.scim_group_get(tenant=call.tenant, scim_id=scim_id)
    return _json(_group(call, group).model_dump(scim_ctx=Context.RESOURCE_PATCH_RESPONSE))


def group_delete(call: Call, scim_id: str) -> HttpResponse:
    group = selectors.scim_group_get(tenant=call.tenant, scim_id=scim_id)
    services.scim_group_delete(tenant=call.tenant, group=group)
    return HttpResponse(status=204)


def root_search(call: Call) -> HttpResponse:
    """RFC 7644 §3.4.3: searching several resource types at once is optional."""
    raise NotImplementedException(detail="Search /Users/.search or /Groups/.search.")


def not_found(call: Call, rest: str = "") -> HttpResponse:
    raise NotFoundException(detail="No such SCIM endpoint.")
