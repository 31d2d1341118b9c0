from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def impersonation(request: HttpRequest) -> dict[str, Any]:
    """`impersonation`: the live "view as" (the banner on every page), else None."""
    return {"impersonation": getattr(request, "impersonation", None)}
