"""The permissions a key may hold: those some operation of the API needs.

A key with "Manage billing" would do nothing more than one without it (no operation
asks for it), yet the keys page would say it holds it; so the form offers, and the
service accepts, only these. A test holds this list equal to the routes'
`KeyBearer(scope=…)`.
"""

from __future__ import annotations

from core.permissions import (
    ALL_PERMISSIONS,
    AUDIT_VIEW,
    FILES_MANAGE,
    MEMBERS_INVITE,
    MEMBERS_MANAGE,
    TEAMS_MANAGE,
)

_USED = {MEMBERS_INVITE, MEMBERS_MANAGE, TEAMS_MANAGE, FILES_MANAGE, AUDIT_VIEW}

# In the permissions' own order, as the form lists them.
API_SCOPES: tuple[str, ...] = tuple(code for code in ALL_PERMISSIONS if code in _USED)
