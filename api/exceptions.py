"""Refusals of the API-key services (shown to people as written), and of a request the
API cannot read."""

from __future__ import annotations

from django.core.exceptions import BadRequest, PermissionDenied

from core.exceptions import DomainError


class ApiKeyError(DomainError, BadRequest):
    """The key cannot be created or changed as asked."""


class ApiKeyNameTaken(ApiKeyError):
    """Another key of the organisation has this name (shown beside the Name field)."""


class ApiKeyScopeError(DomainError, PermissionDenied):
    """A scope beyond what the creator holds."""


class BodyNotJson(BadRequest):
    """A request body that is not JSON (400); the message says so in the API's words."""
