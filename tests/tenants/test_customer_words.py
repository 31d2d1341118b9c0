""" "Tenant" is the code's word; customers read "workspace" (the workspace switcher, the
workspace settings). The profile picture and logo help said "the tenant switcher"."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def _visible_text(html: str) -> str:
    """What a reader sees: no scripts, styles, tags or attribute values (URLs say
    /tenants/), entities left as they are."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return " ".join(re.sub(r"<[^>]*>", " ", html).split())


@pytest.mark.parametrize("path", ["/account/", "/t/{slug}/settings/"])
def test_pages_say_workspace_never_tenant(owner_client: Any, acme: Any, path: str) -> None:
    text = _visible_text(owner_client.get(path.format(slug=acme.slug)).content.decode())

    assert "workspace switcher" in text
    assert not re.search(r"\btenants?\b", text, re.I), re.findall(r".{60}\btenant.{60}", text, re.I)
