"""The v1 operations, one module per resource."""

from __future__ import annotations

from api.schemas import Problem

# Documented on every operation: what `api.v1`'s handlers answer as problem+json.
ERRORS: dict[int, type[Problem]] = {code: Problem for code in (400, 401, 403, 404, 409, 422, 429)}
