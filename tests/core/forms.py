"""Pages' forms as a browser sends them, and what a destructive one asks first
({% confirm_field %}, core/confirm.py): for tests that post a page's own form."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

from django.test import Client

from core.confirm import ASK_FIELD, URLENCODED


class _Forms(HTMLParser):
    """Every form of a page: its action, what it would send (hidden inputs and chosen
    options) and the links inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None
        self._open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": [], "links": []})
            self._open = True
        elif not self._open:
            return
        elif tag == "input" and a.get("type") == "hidden":
            self.forms[-1]["fields"].append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.forms[-1]["fields"].append((self._select, a["value"]))
        elif tag == "a":
            self.forms[-1]["links"].append(a.get("href", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = False
        elif tag == "select":
            self._select = None


def forms_in(html: str) -> list[dict[str, Any]]:
    """Every form of `html`: its "action", its "fields" as sent and the "links" in it."""
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form_to(html: str, action: str) -> dict[str, Any]:
    """The one form of `html` that posts to `action`."""
    forms = forms_in(html)
    found = [form for form in forms if form["action"] == action]
    assert len(found) == 1, [form["action"] for form in forms]
    return found[0]


def sent(form: dict[str, Any], **changed: str) -> dict[str, list[str]]:
    """What the browser sends for `form` (with `changed` values), as a test client's data."""
    data: dict[str, list[str]] = {}
    for name, value in form["fields"]:
        data.setdefault(name, []).append(value)
    data.update({name: [value] for name, value in changed.items()})
    return data


def post(client: Client, url: str, data: dict[str, list[str]], **extra: Any) -> Any:
    """POST `data` as a browser sends a form: urlencoded (the test client's default is
    multipart, which is never asked)."""
    return client.post(url, urlencode(data, doseq=True), content_type=URLENCODED, **extra)


def asks(form: dict[str, Any]) -> list[dict[str, Any]]:
    return [json.loads(value) for name, value in form["fields"] if name == ASK_FIELD]


def asks_in(html: str) -> list[dict[str, Any]]:
    """What every form of a page asks before it is sent, in page order."""
    return [ask for form in forms_in(html) for ask in asks(form)]
