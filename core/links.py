"""URLs of the page chrome, reversed once per process instead of once per `{% url %}`.

Every signed-in page links to the same dozen places (the header, the workspace switcher,
the tenant tabs); `reverse()` costs about 30 µs each, and the overview called it 43
times. A route is reversed once with a placeholder argument and kept as the text
around it, so `link("tenant:members", slug)` is a string join. Kept per URLconf (a
request may set its own with `set_urlconf`) and without the script prefix, which is
added on each call (it belongs to the request: SCRIPT_NAME, FORCE_SCRIPT_NAME). The
cache is emptied when ROOT_URLCONF changes (`override_settings` in tests).

Arguments go in unquoted: only for slugs, ids and plain file names ("abc_1.webp"), which
hold no character that would need quoting (`link` refuses anything else, and a bare "."
or ".." segment).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

# What reverse() leaves unquoted: letters, digits, "-", "_" and "." (not "." or ".." alone).
_SAFE_ARGUMENT = re.compile(r"(?!\.\.?\Z)[-a-zA-Z0-9_.]+", re.ASCII)

_templates: dict[tuple[str, int, object], tuple[str, ...]] = {}


def link(name: str, *args: Any) -> str:
    """`reverse(name, args=args)` for slug and id arguments, from a per-process template."""
    key = (name, len(args), get_urlconf())
    parts = _templates.get(key)
    if parts is None:
        parts = _templates[key] = _template(name, len(args))
    if not args:
        return get_script_prefix() + parts[0]
    out = [get_script_prefix(), parts[0]]
    for arg, part in zip(args, parts[1:], strict=True):
        text = str(arg)
        if not _SAFE_ARGUMENT.fullmatch(text):
            raise ValueError(f"link() takes slugs and ids (and file names) only, not {text!r}")
        out.append(text)
        out.append(part)
    return "".join(out)


def _template(name: str, count: int) -> tuple[str, ...]:
    """The reversed path (without the script prefix) split around each argument."""
    # Distinct placeholders, digits only so that both converters accept them.
    marks = [f"918273645{i}" for i in range(count)]
    prefix = get_script_prefix()
    path = reverse(name, args=marks)
    if not path.startswith(prefix):  # pragma: no cover - reverse() always prefixes
        raise ValueError(f"{name} reversed outside the script prefix: {path}")
    path = path[len(prefix) :]
    parts: list[str] = []
    for mark in marks:
        before, found, path = path.partition(mark)
        if not found:
            raise ValueError(f"{name}: argument placeholder not found in its URL")
        parts.append(before)
    parts.append(path)
    return tuple(parts)


def links_clear() -> None:
    _templates.clear()


@receiver(setting_changed, dispatch_uid="core.links.clear")
def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "ROOT_URLCONF":
        links_clear()
