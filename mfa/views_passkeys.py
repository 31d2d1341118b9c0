"""Adding, renaming and removing passkeys (/account/security/passkeys/…).

Adding takes two requests, both needing a recent authentication: the options (with a
challenge bound to this session), then the browser's answer, which the server verifies
before anything is stored. Creating a passkey needs JavaScript (WebAuthn is a browser
API); the page says so when it is off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.cache_headers import never_cache
from core.errors import ServiceForm, run_action
from core.sent_once import sent_once
from mfa.decorators import reauth_required
from mfa.forms import CHALLENGE_GONE
from mfa.passkeys import (
    REGISTER,
    challenge_issue,
    challenge_take,
    passkey_default_name,
    registration_options_json,
    session_owner,
)
from mfa.selectors import passkeys_of
from mfa.services_passkeys import NAME_MAX, passkey_register, passkey_remove, passkey_rename
from mfa.views import security_page, set_up_done, set_up_return
from sessions_app.authentication import Factor, session_factor_proven

if TYPE_CHECKING:
    from core.types import AuthenticatedRequest

NAME_ATTRS = {
    "class": "input",
    "autocomplete": "off",
    "placeholder": gettext_lazy("e.g. MacBook Touch ID"),
}


class PasskeyAddForm(ServiceForm):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=NAME_MAX,
        widget=forms.TextInput(NAME_ATTRS),
        required=False,
        # As help text, so the field names it (aria-describedby) for screen readers.
        help_text=gettext_lazy("So you can tell your passkeys apart later."),
    )
    credential = forms.CharField(widget=forms.HiddenInput, max_length=20_000, required=False)


class PasskeyRenameForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=NAME_MAX,
        widget=forms.TextInput(NAME_ATTRS),
        error_messages={"required": gettext_lazy("Give the passkey a name.")},
    )


@login_required
@reauth_required
@never_cache
@require_POST
def passkey_options(request: AuthenticatedRequest) -> HttpResponse:
    """JSON options for navigator.credentials.create(), with a fresh challenge."""
    response = HttpResponse(content_type="application/json")
    challenge = challenge_issue(response, purpose=REGISTER, owner=session_owner(request))
    response.content = registration_options_json(
        user=request.user, challenge=challenge, existing=passkeys_of(user=request.user)
    ).encode()
    return response


@login_required
@reauth_required
@never_cache
@require_http_methods(["GET", "POST"])
@sent_once(lambda request: reverse("mfa:security"))
def passkey_add(request: AuthenticatedRequest) -> HttpResponse:
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    form = PasskeyAddForm(request.POST or None)
    unnamed = passkey_default_name(user_agent=user_agent)
    # Help text is written as markup (form_field.html); the name comes from the browser.
    form.fields["name"].help_text = _(
        "So you can tell your passkeys apart later. Left empty, it is called “%(name)s”."
    ) % {"name": conditional_escape(unnamed)}
    if request.method == "POST" and form.is_valid():
        challenge = challenge_take(request, purpose=REGISTER, owner=session_owner(request))
        if not form.cleaned_data["credential"]:
            form.add_error(None, _("Your browser didn't create a passkey. Try again."))
        elif challenge is None:
            form.add_error(None, CHALLENGE_GONE)
        else:
            result = form.run(
                lambda: passkey_register(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    credential=form.cleaned_data["credential"],
                    challenge=challenge,
                    user_agent=user_agent,
                )
            )
            if result is not None:
                passkey, codes = result
                session_factor_proven(request.session, factor=Factor.PASSKEY)
                messages.success(request, _("Passkey “%(name)s” added.") % {"name": passkey.name})
                return set_up_done(request, codes)
    status = 400 if form.is_bound else 200
    context = {"form": form, "next": set_up_return(request)}
    return render(request, "mfa/passkey_add.html", context, status=status)


@login_required
@require_POST
def passkey_rename_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    form = PasskeyRenameForm(request.POST)
    if form.is_valid():
        outcome = run_action(
            request,
            lambda: passkey_rename(
                user=request.user, passkey_id=pk, name=form.cleaned_data["name"]
            ),
        )
        if outcome.value is not None:  # its name, numbered when another passkey had it
            messages.success(
                request, _("Passkey renamed to “%(name)s”.") % {"name": outcome.value.name}
            )
    else:  # a name of spaces: said, where it used to come back unchanged without a word
        messages.error(request, str(form.errors["name"][0]))
    return redirect("mfa:security")


@login_required
@reauth_required
@require_POST
def passkey_remove_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    done = _("Passkey removed.")
    outcome = run_action(
        request,
        lambda: passkey_remove(user=request.user, passkey_id=pk, acting_user=request.user),
        success=done,  # a toast: its region is there from the page's load, so it is read out
    )
    if request.htmx:  # a refusal is said in the section, beside what it refuses
        return security_page(request, error=outcome.error or "")
    return redirect("mfa:security")
