from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """Product name and flags every page's chrome needs."""
    return {
        "PRODUCT_NAME": settings.PRODUCT_NAME,
        "SITE_URL": settings.SITE_URL,
        "DEBUG": settings.DEBUG,
    }
