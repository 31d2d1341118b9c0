"""Read an admin change page's form as the browser would submit it, so a test can
change one value (or forge one) and post the rest untouched."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from django.test import Client


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def _add(self, name: str, value: str) -> None:
        if "__prefix__" not in name:  # the inline's template row for "Add another"
            self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._in_form = a.get("id", "").endswith("_form") and a.get("id") != "logout-form"
        if not self._in_form or "disabled" in a:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(name, a.get("value") or "on")
                return
            self._add(name, a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self._add(self._select, a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea][-1] += data


def admin_form(client: Client, url: str) -> dict[str, Any]:
    """The submittable values of the form on `url` (lists for multi-valued fields)."""
    response = client.get(url)
    assert response.status_code == 200, f"GET {url} answered {response.status_code}"
    parser = _FormParser()
    parser.feed(response.content.decode())
    return {k: v if len(v) > 1 else v[0] for k, v in parser.data.items()}


def inline_row(form: dict[str, Any], prefix: str, field: str, value: Any) -> str:
    """The `prefix-N-field` key of the inline row whose `field` is `value`."""
    for key, current in form.items():
        if key.startswith(f"{prefix}-") and key.endswith(f"-{field}") and current == str(value):
            return key.rsplit("-", 1)[0]
    raise AssertionError(f"no {prefix} row with {field}={value}")
