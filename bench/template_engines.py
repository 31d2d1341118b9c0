"""Django templates against Jinja2 on the devices page's session list, same context.

Issue 22 asks whether a Jinja2 backend would make the hot pages cheap enough. A measurement
of the overview's activity card (docs/performance.md) found 1.3×: that card's time is in
helpers both engines call. The devices list is the opposite case, twenty rows of plain
tags, so it bounds what switching engines could give. This renders
`sessions_app/list.html#session-list` (Django, as the page does) and a hand translation,
bench/templates/jinja2/session_list.jinja (Jinja2 with its i18n extension on Django's
gettext, the same `|when` filter, `reverse()` for `{% url %}`), from one context of 20
sessions, checks that both give the same HTML (whitespace aside), and prints CPU µs per
render, fastest of five rounds.

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
    return re.sub(r">\s+<", "><", html).strip()


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
    context = {
        "sessions": _sessions(timezone.now()),
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

    ours, theirs = _normalised(django_render()), _normalised(jinja_render())
    # The CSRF masks differ per render; everything else must be the same page.
    mask = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    ours, theirs = mask.sub("TOKEN", ours), mask.sub("TOKEN", theirs)
    if ours != theirs:
        at = next(i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b)
        print(
            f"not the same HTML at {at}:\n  django {ours[at - 80 : at + 80]!r}\n"
            f"  jinja2 {theirs[at - 80 : at + 80]!r}"
        )
        return 1
    django_us, jinja_us = _cpu_us(django_render, n), _cpu_us(jinja_render, n)
    print(f"session list, {ROWS} rows, same HTML ({len(ours):,} characters), CPU µs per render:")
    print(f"  Django templates  {django_us:8.0f}")
    print(f"  Jinja2            {jinja_us:8.0f}   ({django_us / jinja_us:.1f}× faster)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
