"""The sign-in's second step: a code from the authenticator app or a recovery code.

The password step (accounts.views.sign_in, or a password reset) leaves a pending
sign-in on this browser (mfa.pending) instead of a session: nobody is signed in and
no session row exists until this page accepts a second factor. After
MFA_PENDING_AGE seconds the pending sign-in is gone and the person starts again.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.http import session_sign_in
from accounts.middleware import language_of_person_activate
from core.cache_headers import never_cache
from mfa.forms import PasskeyForm, SecondFactorForm
from mfa.passkeys import SECOND_FACTOR
from mfa.pending import PendingSignIn, pending_sign_in_clear, pending_sign_in_get
from mfa.selectors import two_factor_status
from mfa.trusted import browser_trust
from sessions_app.authentication import Factor, session_authenticated

EXPIRED = gettext_lazy("That sign-in waited more than five minutes for its code. Sign in again.")


def _complete(
    request: HttpRequest, pending: PendingSignIn, factors: list[str], *, trust: bool = False
) -> HttpResponse:
    """Sign in; with `trust` ("Don't ask again on this browser" ticked), this browser
    skips the second step from now on (mfa.trusted)."""
    session_sign_in(request, pending.user)
    session_authenticated(request.session, factors=factors)
    response = redirect(pending.next_url or reverse(settings.LOGIN_REDIRECT_URL))
    pending_sign_in_clear(response)
    if trust:
        browser_trust(request, response, user=pending.user)
    return response


def _trust_ticked(form: Form) -> bool:
    return bool(form.cleaned_data.get("trust"))


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_verify(request: HttpRequest) -> HttpResponse:
    pending = pending_sign_in_get(request)
    if pending is None:
        messages.info(request, EXPIRED)
        restart = redirect("accounts:sign-in")
        pending_sign_in_clear(restart)
        return restart
    # The person is known once the password was right: their own language, not the
    # browser's, as on every page after this one.
    language_of_person_activate(request, pending.user.language)
    methods = two_factor_status(user=pending.user).methods
    if not methods:
        # Two-factor was turned off since the password was checked, minutes ago.
        return _complete(request, pending, [pending.first_factor])
    posted = request.POST.get("factor") if request.method == "POST" else None
    passkey_form = PasskeyForm(
        request.POST if posted == Factor.PASSKEY else None,
        request=request,
        purpose=SECOND_FACTOR,
        owner=pending.owner,
        user=pending.user,
        sign_in=True,
        auto_id="id_passkey_%s",  # its "trust" box beside the code form's
    )
    if posted == Factor.PASSKEY and Factor.PASSKEY in methods and passkey_form.is_valid():
        factors = [pending.first_factor, Factor.PASSKEY]
        return _complete(request, pending, factors, trust=_trust_ticked(passkey_form))
    code_methods = [m for m in methods if m != Factor.PASSKEY]
    asked = posted or request.GET.get("method") or ""
    factor = asked if asked in code_methods else (code_methods or [""])[0]
    form = (
        SecondFactorForm(
            request.POST if posted == factor else None,
            user=pending.user,
            factor=factor,
            request=request,
            sign_in=True,
        )
        if factor
        else None
    )
    if form is not None and posted == factor and form.is_valid():
        factors = [pending.first_factor, factor]
        response = _complete(request, pending, factors, trust=_trust_ticked(form))
        if factor == Factor.RECOVERY_CODE:
            messages.warning(
                request,
                _(
                    "You signed in with a recovery code, which now no longer works. If you "
                    "lost your phone, set up your authenticator app again on the security page."
                ),
            )
        return response
    if form is not None and Factor.PASSKEY in methods and "trust" in form.fields:
        # Shown once, above the passkey button, yet sent with the code (the template).
        form.fields["trust"].widget.attrs["form"] = "verify-code"
    context = {
        "form": form,
        "factor": factor,
        # The person is known: their language rules this page (above), so the signed-out
        # footer's picker, which sets the browser's, would change nothing here.
        "language_picker": False,
        # Half signed in: the header's "Sign in" and "Get started" would only confuse.
        "second_step": True,
        "passkey": Factor.PASSKEY in methods,
        # A code asked for by name ("Use a recovery code") or just typed wrong is the way
        # this person chose: its form leads, not the passkey button above it.
        "code_first": asked in code_methods,
        "passkey_errors": passkey_form.errors.get("credential", []),
        "passkey_form": passkey_form,
        "other_methods": [m for m in code_methods if m != factor],
        "email": pending.user.email,
        # Whom to ask when every factor is lost: only the site's operators can reset it.
        "support_email": settings.SUPPORT_EMAIL,
    }
    return render(request, "accounts/sign_in_verify.html", context)
