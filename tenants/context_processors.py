"""The header's workspace switcher: the user's workspaces, loaded only if a page shows them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tenants.selectors import WorkspaceMenu, workspace_menu_for_user


def tenant_switcher(request: HttpRequest) -> dict[str, Any]:
    """`switcher_workspaces` is lazy. Tenant pages have it already: TenantMiddleware's
    membership query brings it along (tenants.selectors.membership_for_request). Other
    pages that render the switcher pay one query; the rest (anonymous pages, JSON, htmx
    partials) none."""

    def load() -> WorkspaceMenu:
        membership = getattr(request, "membership", None)
        if membership is not None and hasattr(membership, "switcher"):
            return membership.switcher
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return WorkspaceMenu(workspaces=(), total=0)
        return workspace_menu_for_user(user=user)

    return {"switcher_workspaces": SimpleLazyObject(load)}
