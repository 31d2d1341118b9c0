"""Driving a sign-in through the test client and the local provider, as a browser would."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlsplit

from tests.sso.idp import LocalIdP


def local(url: str) -> str:
    """The path and query of an absolute URL back to the app (the test client's form)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def leave(client: Any, url: str, data: dict[str, str] | None = None) -> str:
    """POST a start button; returns the provider URL the app sends the browser on to
    (a page with a Refresh header and a link: sso.views_flow.leave_for_provider says why)."""
    response = client.post(url, data or {})
    assert response.status_code == 200, response.content[:500]
    refresh = response["Refresh"].split("url=", 1)[1]
    link = re.search(r'id="provider-url"[^>]*href="([^"]+)"', response.content.decode())
    assert link is not None and html.unescape(link[1]) == refresh
    return refresh


def round_trip(
    client: Any, idp: LocalIdP, start_url: str, data: dict[str, str] | None = None
) -> Any:
    """Start, consent at the provider, come back: the callback's response."""
    authorize = leave(client, start_url, data)
    return client.get(local(idp.consent(authorize)))


def signed_in_user_id(client: Any) -> int | None:
    """Whose session this client holds now (None: anonymous)."""
    response = client.get("/account/")
    return response.wsgi_request.user.pk if response.status_code == 200 else None
