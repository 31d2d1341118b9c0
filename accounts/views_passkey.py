"""Passkeys at sign-in: the options for a ceremony, and signing in with a passkey alone.

A passkey with user verification is two factors in one (the device, and the
fingerprint or PIN that unlocks it), so a passwordless sign-in is a complete one.
The same options endpoint serves the second step (only the pending person's passkeys)
and the re-authentication prompt (only the signed-in person's).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from accounts.http import session_sign_in, sign_in_refusal
from core.cache_headers import never_cache
from core.same_site import same_site_path
from mfa.forms import PasskeyForm
from mfa.passkeys import (
    REAUTH,
    SECOND_FACTOR,
    SIGN_IN,
    authentication_options_json,
    challenge_issue,
    session_owner,
)
from mfa.pending import pending_sign_in_get
from mfa.selectors import passkeys_of
from sessions_app.authentication import Factor, session_authenticated


@csrf_protect
@never_cache
@require_POST
def passkey_options(request: HttpRequest) -> HttpResponse:
    """JSON options for navigator.credentials.get(), with a challenge for `purpose`."""
    purpose = request.POST.get("purpose", "")
    response = HttpResponse(content_type="application/json")
    if purpose == SIGN_IN:
        allowed, owner = [], ""
    elif purpose == SECOND_FACTOR:
        pending = pending_sign_in_get(request)
        if pending is None:
            return HttpResponseBadRequest("No sign-in is waiting for a second factor.")
        allowed, owner = passkeys_of(user=pending.user), pending.owner
    elif purpose == REAUTH and request.user.is_authenticated:
        allowed, owner = passkeys_of(user=request.user), session_owner(request)
    else:
        return HttpResponseBadRequest("Unknown passkey purpose.")
    challenge = challenge_issue(response, purpose=purpose, owner=owner)
    response.content = authentication_options_json(challenge=challenge, allowed=allowed).encode()
    return response


@csrf_protect
@never_cache
@require_POST
def passkey_sign_in(request: HttpRequest) -> HttpResponse:
    """Sign in with a passkey alone (the button, or the browser's passkey autofill)."""
    form = PasskeyForm(request.POST, request=request, purpose=SIGN_IN, owner="", user=None)
    next_url = same_site_path(request, request.POST.get("next", ""))
    if not form.is_valid() or form.passkey is None:
        for error in form.errors.get("credential", [_("That passkey could not be verified.")]):
            messages.error(request, str(error))
        query = f"?{urlencode({'next': next_url})}" if next_url else ""
        return redirect(reverse("accounts:sign-in") + query)
    refusal = sign_in_refusal(request, form.passkey.user, method="passkey")
    if refusal:
        messages.error(request, refusal)
        query = f"?{urlencode({'next': next_url})}" if next_url else ""
        return redirect(reverse("accounts:sign-in") + query)
    session_sign_in(request, form.passkey.user)
    session_authenticated(request.session, factors=[Factor.PASSKEY])
    return redirect(next_url or reverse(settings.LOGIN_REDIRECT_URL))
