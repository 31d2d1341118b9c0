"""Are you sure? — asked by the server too, so a mis-tap without JavaScript deletes nothing.

A destructive form says what to ask with `{% confirm_field %}` (core/templatetags/
confirm.py): a hidden `confirm-ask` field holding the question, what follows, the two
buttons' words and, for a form that asks only for one choice of a select, that choice.
With JavaScript, static/src/js/confirm.js reads it, asks in the dialog of base.html and
sends the form with `confirmed=1`. A POST that carries an ask for what it sends but no
`confirmed` (JavaScript off, or a page without the dialog) is answered by
`ConfirmMiddleware` with a page that asks the same and does not reach the view; its
button posts every field again, plus `confirmed`, with a fresh CSRF token.

An accident guard, not a security check: anyone can add `confirmed`, so what protects an
action is still CSRF, permissions and "Confirm it's you". The middleware sits last, after
CSRF and every middleware that may refuse the request, so it asks only what would reach
the view, and it reads urlencoded bodies only (CSRF has parsed those already; an upload's
multipart body is never parsed here).
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeData, SafeString
from django_htmx.http import reswap, retarget

from core.cache_headers import private_no_store
from core.htmx import is_htmx
from core.same_site import same_site_page

ASK_FIELD = "confirm-ask"
CONFIRMED_FIELD = "confirmed"
URLENCODED = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Ask:
    """What to ask; empty words fall back to the dialog's own ("Are you sure?"…)."""

    question: str = ""
    detail: str = ""
    button: str = ""
    cancel: str = ""
    when: tuple[str, str] | None = None  # (field, value): asked only when it is sent
    # "danger" (red) for what destroys or takes away; "primary" for a choice that only
    # needs a second look, such as a move to a larger plan (a red button read as a warning).
    tone: str = "danger"

    def applies_to(self, posted: Any) -> bool:
        return self.when is None or self.when[1] in posted.getlist(self.when[0])


def _text(value: Any) -> str:
    """Plain text, as a browser reads an attribute: a `{% blocktranslate asvar %}` result
    is HTML (its variables escaped), a `{% translate as %}` one is not."""
    if not value:
        return ""
    return html.unescape(str(value)) if isinstance(value, SafeData) else str(value)


def confirm_field(
    question: Any,
    *,
    detail: Any = "",
    button: Any = "",
    cancel: Any = "",
    when: str = "",
    equals: Any = None,
    tone: str = "danger",
) -> SafeString:
    """The hidden field that makes a form ask before it is sent (see the module)."""
    return _field(
        _text(question), _text(detail), _text(button), _text(cancel), when, str(equals), tone
    )


@lru_cache(maxsize=4096)
def _field(
    question: str, detail: str, button: str, cancel: str, when: str, equals: str, tone: str
) -> SafeString:
    """Kept per words: a list renders the same field on every row (the devices page
    and the members page ask per row; building it each time cost them 10–20%)."""
    ask: dict[str, Any] = {
        "question": question,
        "detail": detail,
        "button": button,
        "cancel": cancel,
    }
    if when:
        ask["when"] = [when, equals]
    if tone == "primary":
        ask["tone"] = tone
    return format_html(
        '<input type="hidden" name="{}" value="{}">', ASK_FIELD, json.dumps(ask, ensure_ascii=False)
    )


def _ask_from(raw: str) -> Ask:
    """An ask from its field; one that cannot be read still asks, in the dialog's words."""
    try:
        data = json.loads(raw)
        when = data.get("when")
        return Ask(
            question=str(data.get("question") or ""),
            detail=str(data.get("detail") or ""),
            button=str(data.get("button") or ""),
            cancel=str(data.get("cancel") or ""),
            when=(str(when[0]), str(when[1])) if when else None,
            tone="primary" if data.get("tone") == "primary" else "danger",
        )
    except (ValueError, TypeError, AttributeError, IndexError, KeyError):
        return Ask()


def pending_ask(request: HttpRequest) -> Ask | None:
    """What this request's form asks and has not been answered yet, else None."""
    if request.method != "POST" or request.content_type != URLENCODED:
        return None
    posted = request.POST
    if ASK_FIELD not in posted or CONFIRMED_FIELD in posted:
        return None
    for raw in posted.getlist(ASK_FIELD):
        ask = _ask_from(raw)
        if ask.applies_to(posted):
            return ask
    return None


def confirmation_page(request: HttpRequest, ask: Ask) -> HttpResponse:
    """The page that asks: the form's fields again with `confirmed`, and a way back to
    the page it was sent from (never elsewhere: a Referer off this site goes home)."""
    carried = [
        (key, value)
        for key, values in request.POST.lists()
        if key != "csrfmiddlewaretoken"
        for value in values
    ]
    context = {
        "ask": ask,
        "carried": carried,
        "confirmed_field": CONFIRMED_FIELD,
        "action_url": request.get_full_path(),
        "back_url": same_site_page(request, request.headers.get("Referer", "")) or reverse("home"),
    }
    response = render(request, "core/confirm.html", context)
    if is_htmx(request):
        # An htmx form sent without the dialog: the whole page becomes the question.
        response = reswap(retarget(response, "body"), "innerHTML")
    # Its fields (a typed password among them) are not kept by the browser's cache.
    private_no_store(response)
    return response


class ConfirmMiddleware:
    """Answers a form that asks, and was not answered, with the confirmation page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if getattr(view_func, "csrf_exempt", False):
            # A webhook, an IdP's post, SCIM: machines that never ask a person, and whose
            # lack of CSRF would let any site fill our "Are you sure?" page with its words.
            return None
        ask = pending_ask(request)
        return confirmation_page(request, ask) if ask is not None else None
