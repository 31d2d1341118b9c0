"""The header's tenant switcher: the user's workspaces, loaded only if a page shows them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tenants.selectors import membership_list_for_user


def tenant_switcher(request: HttpRequest) -> dict[str, Any]:
    """`switcher_memberships` is lazy: one query on pages that render the switcher, none
    elsewhere (anonymous pages, JSON, htmx partials)."""

    def load() -> list[Any]:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return []
        return membership_list_for_user(user=user)

    return {"switcher_memberships": SimpleLazyObject(load)}
