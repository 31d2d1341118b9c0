"""Django templates, Jinja2 and plain Python on the devices page's session list, same context.

Issue 22 asks whether a Jinja2 backend would make the hot pages cheap enough. A measurement
of the overview's activity card (docs/performance.md) found 1.3×: that card's time is in
helpers both engines call. The devices list is the opposite case, twenty rows of plain
tags, so it bounds what switching engines could give. This renders
`sessions_app/list.html#session-list` (Django, as the page does) and a hand translation,
bench/templates/jinja2/session_list.jinja (Jinja2 with its i18n extension on Django's
gettext, the same `|when` filter, `reverse()` for `{% url %}`), from one context of 20
sessions, checks that both give the same HTML (whitespace aside), and prints CPU µs per
render, fastest of five rounds.

The third variant, `_python_list`, is the floor of the other choice issue 22 leaves open:
the same markup written by Python code (f-strings, `html.escape`, the constant
translations looked up once per language as `core/templatetags/i18n_cached.py` does for
the templates, `gettext` and `|when` per row as the templates call them). It is held to
the same HTML. Beside it, the 40 `|when` calls of the list alone, which every variant pays.

    python -m bench.template_engines [N]    # N renders per round (default 400)

No database: the sessions are built in memory; settings as bench/page_cpu.py uses them.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

ROWS = 20
ROUNDS = 5


def _sessions(now: Any) -> list[Any]:
    from sessions_app.authentication import FACTORS_KEY
    from sessions_app.models import Session

    rows = []
    for index in range(ROWS):
        s = Session(
            pk=1000 + index,
            device=f"Firefox {120 + index} on Linux",
            browser=f"Firefox {120 + index}",
            system="Linux",
            ip_address=f"203.0.113.{index + 1}",
            created_at=now - timedelta(days=index, hours=3),
            last_activity_at=now - timedelta(hours=index * 5 + 1),
            data={FACTORS_KEY: ["password", "totp"] if index % 3 == 0 else ["password"]},
        )
        # What sessions_app.views._render_list sets on each row.
        s.is_current = index == 0
        s.active_recently = index == 1
        s.revoke_url = f"/account/sessions/{s.pk}/revoke/"
        s.signed_in_with = " + ".join(s.factors)
        rows.append(s)
    return rows


# The list's constant strings, translated once per language. {% translate "…" %} prints
# them as they are: a template's string literal is safe, and so is its translation.
_CONSTANTS = (
    "Signed-in devices",
    "Sign out anything you don't recognise, then change your password.",
    "Sign out every other device?",
    "Anyone using them has to sign in again; you stay signed in here.",
    "Sign out other devices",
    "Sign out all other devices",
    "This device",
    "Unknown IP",
    "Active now",
    "Active in the last few minutes",
    "Sign out",
    "Sign out this device?",
    "Anyone using it has to sign in again.",
    "Sign out device",
    "No signed-in devices.",
)


def _python_list(context: dict[str, Any], csrf_input: str, urls: dict[str, str]) -> str:
    """`sessions_app/list.html#session-list` as Python: the markup, message ids and helpers
    of the template (blocktranslate's arguments escaped as it escapes them, its translation
    and the constants not), for a context without the two notices, as measured."""
    from html import escape

    from django.utils import translation
    from django.utils.html import conditional_escape as arg
    from django.utils.translation import gettext

    from core.templatetags.times import when

    t = _constants(translation.get_language())

    advice = t["Sign out anything you don't recognise, then change your password."]
    head = (
        f'<section class="card mt-6" id="session-list"><div class="flex flex-wrap items-start '
        f'justify-between gap-4"><div><h2 class="section-title">{t["Signed-in devices"]}</h2>'
        f'<p class="mt-1 text-sm text-slate-600">'
        f"{advice}</p></div>"
    )
    if context["others_count"]:
        url = urls["revoke-others"]
        head += (
            f'<form method="post" action="{url}" hx-post="{url}" hx-target="#session-list" '
            f'hx-swap="outerHTML" data-confirm="{t["Sign out every other device?"]}" '
            f'data-confirm-detail="'
            f'{t["Anyone using them has to sign in again; you stay signed in here."]}" '
            f'data-confirm-button="{t["Sign out other devices"]}">{csrf_input}'
            f'<button type="submit" class="btn btn-secondary btn-sm">'
            f"{t['Sign out all other devices']}</button></form>"
        )
    parts = [head, '</div><ul class="mt-4 divide-y divide-slate-100" role="list">']
    for s in context["sessions"]:
        device = escape(s.device_said)
        badge = f'<span class="badge badge-blue">{t["This device"]}</span>' if s.is_current else ""
        ip = escape(s.ip_address) if s.ip_address else t["Unknown IP"]
        at = when(s.created_at)
        if s.signed_in_with:
            signed_in = gettext("Signed in %(when)s with %(factors)s") % {
                "when": at,
                "factors": arg(s.signed_in_with),
            }
        else:
            signed_in = gettext("Signed in %(when)s") % {"when": at}
        if s.is_current:
            active = t["Active now"]
        elif s.active_recently:
            active = t["Active in the last few minutes"]
        else:
            active = gettext("Last active %(when)s") % {"when": when(s.last_activity_at)}
        if s.is_current:
            form = (
                f'<form method="post" action="{urls["sign-out"]}">{csrf_input}'
                f'<button type="submit" class="btn btn-secondary btn-sm">{t["Sign out"]}'
                f"</button></form>"
            )
        else:
            confirm = (
                gettext("Sign out %(device)s?") % {"device": arg(s.device_said)}
                if s.device
                else t["Sign out this device?"]
            )
            url = escape(s.revoke_url)
            form = (
                f'<form method="post" action="{url}" hx-post="{url}" hx-target="#session-list" '
                f'hx-swap="outerHTML" data-confirm="{confirm}" '
                f'data-confirm-detail="{t["Anyone using it has to sign in again."]}" '
                f'data-confirm-button="{t["Sign out device"]}">{csrf_input}'
                f'<button type="submit" class="btn btn-secondary btn-sm text-red-600">'
                f"{t['Sign out']}</button></form>"
            )
        parts.append(
            f'<li class="flex flex-wrap items-center justify-between gap-3 py-4" '
            f'id="session-{s.pk}"><div class="min-w-0"><p class="flex flex-wrap items-center '
            f'gap-2 text-sm font-medium text-slate-900"> {device} {badge}</p>'
            f'<p class="mt-1 text-xs text-slate-500"> {ip} · {signed_in} · {active}</p></div>'
            f"{form}</li>"
        )
    if not context["sessions"]:
        parts.append(
            f'<li class="py-6 text-center text-sm text-slate-500">{t["No signed-in devices."]}</li>'
        )
    parts.append("</ul></section>")
    return "".join(parts)


@lru_cache(maxsize=32)
def _constants(language: str | None) -> dict[str, str]:
    """The constants in `language` (the active one when called), as `_formats` in
    core/templatetags/times.py keeps its patterns."""
    from django.utils.translation import gettext

    return {text: gettext(text) for text in _CONSTANTS}


def _cpu_us(render: Callable[[], str], n: int) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.process_time()
        for _ in range(n):
            render()
        best = min(best, time.process_time() - start)
    return best / n * 1e6


def _normalised(html: str) -> str:
    html = html.replace("&#x27;", "&#39;")  # Django and MarkupSafe spell the quote apart
    html = re.sub(r"\s+", " ", html)
    html = re.sub(r">\s+<", "><", html)
    return re.sub(r"\s+<", "<", html).strip()


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 400
    from bench.page_cpu import _ENV

    for key, value in _ENV.items():
        os.environ.setdefault(key, value)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    import jinja2
    from django.middleware.csrf import get_token
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.urls import reverse
    from django.utils import timezone, translation
    from django.utils.html import format_html

    from core.templatetags.times import when

    translation.activate("en")
    request = RequestFactory().get("/account/sessions/")
    sessions = _sessions(timezone.now())
    context = {
        "sessions": sessions,
        "others_count": ROWS - 1,
        "notice": "",
        "signed_out_by_limit": [],
        "session_limit": 0,
    }

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates" / "jinja2"),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        translation.gettext, translation.ngettext, newstyle=True
    )
    environment.filters["when"] = when
    environment.globals["url"] = reverse
    template = environment.get_template("session_list.jinja")

    def django_render() -> str:
        return render_to_string("sessions_app/list.html#session-list", context, request=request)

    def jinja_render() -> str:
        # What {% csrf_token %} prints, once per render as the Django partial does.
        csrf_input = format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
        )
        return template.render(context, csrf_input=csrf_input)

    urls = {
        "revoke-others": reverse("sessions:revoke-others"),
        "sign-out": reverse("accounts:sign-out"),
    }

    def python_render() -> str:
        csrf_input = format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
        )
        return _python_list(context, csrf_input, urls)

    def when_only() -> str:
        for s in sessions:
            when(s.created_at)
            when(s.last_activity_at)
        return ""

    # The CSRF masks differ per render; everything else must be the same page.
    mask = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    ours = mask.sub("TOKEN", _normalised(django_render()))
    for name, render in (("jinja2", jinja_render), ("python", python_render)):
        theirs = mask.sub("TOKEN", _normalised(render()))
        if ours != theirs:
            at = next(
                (i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b),
                min(len(ours), len(theirs)),
            )
            print(
                f"not the same HTML at {at}:\n  django {ours[at - 80 : at + 80]!r}\n"
                f"  {name} {theirs[at - 80 : at + 80]!r}"
            )
            return 1
    django_us, jinja_us = _cpu_us(django_render, n), _cpu_us(jinja_render, n)
    python_us, when_us = _cpu_us(python_render, n), _cpu_us(when_only, n)
    print(f"session list, {ROWS} rows, same HTML ({len(ours):,} characters), CPU µs per render:")
    print(f"  Django templates  {django_us:8.0f}")
    print(f"  Jinja2            {jinja_us:8.0f}   ({django_us / jinja_us:.1f}× faster)")
    print(f"  Python            {python_us:8.0f}   ({django_us / python_us:.1f}× faster)")
    print(f"  of which |when    {when_us:8.0f}   (the {ROWS * 2} calls alone)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
