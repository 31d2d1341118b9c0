"""The v1 operations, one module per resource."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from api.auth import ApiRequest
from api.schemas import Problem
from core.permissions import permission_names


class ScopeMissing(PermissionDenied):
    """The key lacks the permission this operation needs (403)."""


def require_scope(request: ApiRequest, code: str) -> None:
    """Refuse unless the key holds `code`: the pages' permission, the same check."""
    if not request.api_role.has_permission(code):
        raise ScopeMissing(
            f"This key does not have the “{permission_names([code])[0]}” permission ({code})."
        )


# Documented on every operation: what `api.v1`'s handlers answer as problem+json.
ERRORS: dict[int, type[Problem]] = {code: Problem for code in (400, 401, 403, 404, 409, 422, 429)}
