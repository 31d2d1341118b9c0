"""SCIM refusals, as the protocol names them (RFC 7644 §3.12). They are
scim2-models' exceptions, so `to_error()` gives the SCIM Error body; the views turn
them, and the tenancy and billing refusals, into responses in one place
(scim/api.py `scim_errors`)."""

from __future__ import annotations

from scim2_models import InvalidValueException, NotFoundException, UniquenessException


class ScimInvalidValue(InvalidValueException):
    """400 invalidValue: the request names a value the service cannot accept."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail)


class ScimConflict(UniquenessException):
    """409 uniqueness: a resource with this userName or displayName exists."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail)


class ScimNotFound(NotFoundException):
    """404: no such resource in this organisation's directory."""

    def __init__(self, detail: str = "No such resource in this directory.") -> None:
        super().__init__(detail=detail)
