"""The re-authentication prompt ("confirm it's you") in front of sensitive actions.

`mfa.decorators.reauth_required` sends a request here when the session's last
authentication is older than MFA_REAUTH_AGE: a GET by a redirect, a POST by a 307,
which makes the browser post the interrupted form here. This page shows the prompt
with that form's fields as hidden inputs; once the password or a code is right, it
sends the browser back with a 307 (the same fields reach the action) or a redirect
(a page). htmx requests get the prompt as a <dialog> appended to the page and, once
confirmed, a 204 whose `pacetrack:reauthenticated` event makes
static/src/js/reauth.js issue the interrupted request again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_htmx.http import reswap, retarget, trigger_client_event

from accounts.forms_reauth import ReauthForm
from accounts.http import reauth_options
from core.cache_headers import never_cache
from core.same_site import same_site_path, same_site_url
from mfa.reauth import FORM_PREFIX
from mfa.selectors import two_factor_status
from sessions_app.authentication import Factor, session_reauthenticated

if TYPE_CHECKING:
    from core.types import AuthenticatedRequest

SUBMITTED = f"{FORM_PREFIX}-submit"


def _carried(request: AuthenticatedRequest) -> list[tuple[str, str]]:
    """The interrupted form's fields, to post again (the CSRF token is the page's own)."""
    if request.method != "POST":
        return []
    return [
        (key, value)
        for key, values in request.POST.lists()
        if key != "csrfmiddlewaretoken" and not key.startswith(f"{FORM_PREFIX}-")
        for value in values
    ]


@sensitive_post_parameters()
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def reauthenticate(request: AuthenticatedRequest) -> HttpResponse:
    next_url = same_site_path(request, request.GET.get("next", "")) or reverse("mfa:security")
    submitted = request.method == "POST" and SUBMITTED in request.POST
    # The action's method: POST when its form was redirected here with a 307.
    action_method = (
        request.POST.get(f"{FORM_PREFIX}-method", "GET") if submitted else request.method
    )
    methods = two_factor_status(user=request.user).methods
    form = ReauthForm(
        request.POST if submitted else None,
        request=request,
        user=request.user,
        methods=methods,
        initial={"factor": Factor.PASSWORD.value},
    )
    if submitted and form.is_valid():
        session_reauthenticated(request.session)
        if request.htmx:
            return trigger_client_event(HttpResponse(status=204), "pacetrack:reauthenticated")
        return HttpResponseRedirect(next_url, preserve_request=action_method == "POST")
    back = request.POST.get(f"{FORM_PREFIX}-back") if submitted else None
    back_url = same_site_url(request, back or request.headers.get("Referer", "")) or reverse(
        "mfa:security"
    )
    # A provider's round trip cannot carry a form: after it, a POST action is pressed again.
    back_path = urlsplit(back_url)._replace(scheme="", netloc="").geturl()
    return_to = next_url if action_method == "GET" else same_site_path(request, back_path)
    options = reauth_options(request, return_to)
    context = {
        "form": form,
        "options": options,
        # Someone who signed up with a provider has no password to type; the password
        # form stays only when nothing else could confirm them.
        "password": request.user.has_usable_password() or not (options or methods),
        "totp": Factor.TOTP in methods,
        "passkey": Factor.PASSKEY in methods,
        "failed_factor": form["factor"].value() if submitted else "",
        "carried": _carried(request),
        "action_method": action_method,
        "action_url": request.get_full_path(),
        "back_url": back_url,
    }
    if request.htmx:
        response = render(request, "accounts/reauth.html#dialog", context)
        if not submitted:  # the prompt arrives: a dialog at the end of the page
            response = trigger_client_event(
                reswap(retarget(response, "body"), "beforeend"), "pacetrack:reauth-required"
            )
        return response
    return render(request, "accounts/reauth.html", context)
