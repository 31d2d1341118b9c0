"""`@reauth_required`: the one way to mark a view as a sensitive action.

Use it under `@login_required`:

    @login_required
    @reauth_required
    @require_POST
    def delete(request): ...

Without a recent authentication (mfa.reauth) the request is sent to the prompt with
`next` = this URL: a GET by an ordinary redirect, a POST by a 307, so the browser
posts the very same form there. The prompt shows it again as hidden fields, and once
the person has proved themselves it sends them back with another 307: the original
form reaches this view as if nothing had happened, with or without JavaScript. An
htmx request follows the same redirects; the prompt answers it with a dialog and,
once confirmed, static/src/js/reauth.js issues the original request again.

While support views the app as someone, every such action is refused (403): the
session's recent authentication is the staff member's, not the person's.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from mfa.reauth import FORM_PREFIX, reauth_is_recent
from sessions_app.authentication import session_reauthenticated
from support.exceptions import not_while_impersonating


def reauth_url(next_url: str) -> str:
    return reverse(settings.MFA_REAUTH_URL) + "?" + urlencode({"next": next_url})


def reauth_required(
    view: Callable[..., HttpResponse] | None = None,
    *,
    proof: Callable[[HttpRequest], bool] | None = None,
) -> Any:
    """`@reauth_required`, or `@reauth_required(proof=…)` for a form that asks for the
    current password itself: when `proof(request)` says the POST carries it, right, that
    is the re-authentication (an owner typed their password in the transfer form, then
    again on the prompt it led to). `accounts.http.password_in_post` makes one."""
    if view is None:
        return lambda decorated: reauth_required(decorated, proof=proof)
    return _reauth_required(view, proof)


def _reauth_required(
    view: Callable[..., HttpResponse], proof: Callable[[HttpRequest], bool] | None
) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return view(request, *args, **kwargs)  # login_required above answers first
        if getattr(request, "impersonation", None) is not None:
            # Support viewing as the person: the session's recent authentication is the
            # staff member's, never the person's, so nothing here can be confirmed.
            raise not_while_impersonating()
        if reauth_is_recent(request.session):
            if request.method == "POST" and any(
                key.startswith(f"{FORM_PREFIX}-") for key in request.POST
            ):
                # Back from the prompt: its own fields (a password) are not the view's.
                data = request.POST.copy()
                for key in [k for k in data if k.startswith(f"{FORM_PREFIX}-")]:
                    del data[key]
                data._mutable = False
                # Django's own type for request.POST, which stubs narrow to a private class.
                request.POST = data  # type: ignore[assignment]
            return view(request, *args, **kwargs)
        if proof is not None and request.method == "POST" and proof(request):
            session_reauthenticated(request.session)
            return view(request, *args, **kwargs)
        url = reauth_url(request.get_full_path())
        return HttpResponseRedirect(url, preserve_request=request.method != "GET")

    # Outer decorators copy it (functools.wraps): tests find every sensitive view by it.
    wrapped.reauth_required = True  # type: ignore[attr-defined]
    return wrapped
