"""Reading the project's signed cookies (pending sign-in, known device, passkey
challenge) the same way everywhere."""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.http import HttpRequest

from core.security_log import security_event


def signed_cookie_load(
    request: HttpRequest, *, name: str, salt: str, max_age: int, tampered_event: str
) -> Any | None:
    """The cookie's signed value, or None when it is absent or expired. A bad signature
    is somebody's edit or forgery, not an accident: it is logged as `tampered_event`."""
    raw = request.COOKIES.get(name)
    if not raw:
        return None
    try:
        return signing.loads(raw, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        return None
    except signing.BadSignature:
        security_event(tampered_event, path=request.path)
        return None
