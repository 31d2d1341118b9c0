"""What every tenant page template needs, for the views of any app under /t/<slug>/."""

from __future__ import annotations

from typing import Any

from core.permissions import ALL_PERMISSIONS
from core.types import TenantRequest

# The pages under the Settings tab: each has its own heading and the settings' links.
SETTINGS_TABS = frozenset({"settings", "domains", "sso", "scim", "api_keys", "webhooks"})


def tenant_context(request: TenantRequest, *, tab: str, **extra: Any) -> dict[str, Any]:
    """Flags are computed here so templates only display (`can.members_manage`, …)."""
    role = request.role
    can = {code.replace(".", "_"): role.has_permission(code) for code in ALL_PERMISSIONS}
    return {
        "tenant": request.tenant,
        "membership": request.membership,
        "role": role,
        "can": can,
        "is_owner": role.is_owner,
        "tab": tab,
        "in_settings": tab in SETTINGS_TABS,
        **extra,
    }
