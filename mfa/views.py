"""The account security page and the two-factor set-up pages.

Every change needs a recent authentication (`@reauth_required`); looking does not.
Recovery codes are shown once, in the response to the POST that made them: they are
never stored in a readable form, so no later GET could show them again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.cache_headers import never_cache
from core.errors import run_action
from core.same_site import same_site_url
from core.sent_once import sent_once
from mfa.decorators import reauth_required
from mfa.forms import TOTPConfirmForm
from mfa.selectors import security_activity, trusted_browsers_of, two_factor_status
from mfa.services import recovery_codes_generate, totp_remove, totp_setup_begin
from mfa.services_trusted import (
    trust_is_offered,
    trusted_browser_forget,
    trusted_browsers_forget_all,
)
from mfa.signals import security_page_sections
from mfa.totp import totp_qr_data_uri, totp_secret_display, totp_uri
from mfa.trusted import trust_cookie_clear, trust_token_hash
from sessions_app.authentication import Factor, session_factor_proven
from sessions_app.selectors import sessions_without_second_step

if TYPE_CHECKING:
    from core.types import AuthenticatedRequest

LOW_RECOVERY_CODES = 3


def security_page(request: AuthenticatedRequest, *, error: str = "") -> HttpResponse:
    """The page, or for htmx its two-factor section (what the section's buttons change)."""
    status = two_factor_status(user=request.user)
    context = {
        "status": status,
        "next": set_up_return(request),  # set-up links carry it on
        "recovery_codes_low": 0 < status.recovery_codes_left <= LOW_RECOVERY_CODES,
        # Removing it turns two-factor off: its confirmation says so.
        "last_method": (1 if status.totp else 0) + len(status.passkeys) == 1,
        "error": error,
        # Part of the section: turning two-factor off forgets them, and the list says so.
        "trust_offered": status.enabled and trust_is_offered(),
    }
    if context["trust_offered"]:
        context["trusted_browsers"] = trusted_browsers_of(user=request.user)
        context["this_browser"] = trust_token_hash(request)
    if request.htmx:
        return render(request, "mfa/security.html#two-factor", context)
    context["activity"] = security_activity(user=request.user)
    if status.enabled:
        # Devices signed in before two-factor was on keep their session until signed out.
        context["without_second_step"] = len(
            sessions_without_second_step(user=request.user, except_session=request.session.row)
        )
    sections = security_page_sections.send(sender=None, request=request)
    context["sections"] = [html for _, html in sections if html]
    return render(request, "mfa/security.html", context)


@login_required
@never_cache
@require_GET
def security(request: AuthenticatedRequest) -> HttpResponse:
    return security_page(request)


def set_up_return(request: HttpRequest) -> str:
    """Where set-up goes once done: the page that sent the person here (an organisation
    that requires two-factor, `?next=`, kept through the forms), on this site only;
    "" for the security page."""
    return same_site_url(request, request.POST.get("next") or request.GET.get("next") or "")


def set_up_done(request: AuthenticatedRequest, codes: list[str]) -> HttpResponse:
    """After turning a method on: the new recovery codes, else back."""
    if codes:
        return recovery_codes_page(request, codes)
    return redirect(set_up_return(request) or "mfa:security")


def recovery_codes_page(request: AuthenticatedRequest, codes: list[str]) -> HttpResponse:
    text = (
        _("%(issuer)s recovery codes for %(email)s")
        % {"issuer": settings.MFA_TOTP_ISSUER, "email": request.user.email}
        + "\n"
        + _("Each code works once, in place of a code from your authenticator app.")
        + "\n\n"
        + "\n".join(codes)
        + "\n"
    )
    context = {
        "codes": codes,
        "download_href": "data:text/plain;charset=utf-8," + quote(text),
        "done_url": set_up_return(request) or reverse("mfa:security"),
    }
    return render(request, "mfa/recovery_codes.html", context)


@sensitive_post_parameters("code")
@login_required
@reauth_required
@never_cache
@require_http_methods(["GET", "POST"])
@sent_once(lambda request: reverse("mfa:security"))
def totp_setup(request: AuthenticatedRequest) -> HttpResponse:
    """GET: a QR code and the secret to type; POST: one code from the app turns it on."""
    form = TOTPConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = form.save(user=request.user)
        if codes is not None:
            session_factor_proven(request.session, factor=Factor.TOTP)
            messages.success(
                request, _("Your authenticator app is on: sign-in now asks for a code.")
            )
            return set_up_done(request, codes)
    device, secret = totp_setup_begin(user=request.user)
    uri = totp_uri(secret, account=request.user.email)
    context = {
        "form": form,
        "qr_data_uri": totp_qr_data_uri(uri),
        # On a phone the QR code is on the phone it should be scanned with: the link
        # hands the same URI to the authenticator app installed there.
        "otpauth_uri": uri,
        "secret": totp_secret_display(secret),
        "replacing": two_factor_status(user=request.user).totp is not None,
        "next": set_up_return(request),
    }
    # A wrong code is a refusal (400): the same form may be sent again (`sent_once`).
    status = 400 if form.is_bound else 200
    return render(request, "mfa/totp_setup.html", context, status=status)


@login_required
@reauth_required
@require_POST
def totp_remove_view(request: AuthenticatedRequest) -> HttpResponse:
    done = _("Your authenticator app is removed.")
    outcome = run_action(
        request,
        lambda: totp_remove(user=request.user, acting_user=request.user),
        success=done,  # a toast: its region is there from the page's load, so it is read out
    )
    if request.htmx:  # a refusal is said in the section, beside what it refuses
        return security_page(request, error=outcome.error or "")
    return redirect("mfa:security")


@login_required
@reauth_required
@never_cache
@require_POST
@sent_once(lambda request: reverse("mfa:security"))
def recovery_codes(request: AuthenticatedRequest) -> HttpResponse:
    """A new set of recovery codes, shown once; the old ones stop working."""
    outcome = run_action(request, lambda: recovery_codes_generate(user=request.user))
    if outcome.value is None:
        return redirect("mfa:security")
    return recovery_codes_page(request, outcome.value)


def _to_trusted_browsers() -> HttpResponse:
    return redirect(reverse("mfa:security") + "#trusted-browsers")


@login_required
@require_POST
def trusted_browser_forget_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Stop trusting one browser: its next sign-in asks for the second step. No
    "Confirm it's you": forgetting only ever asks for more."""
    row = trusted_browser_forget(user=request.user, pk=pk)
    response = _to_trusted_browsers()
    if row is None:
        messages.info(request, _("That browser was already forgotten."))
        return response
    messages.success(
        request,
        _("Forgotten: %(device)s will ask for a code at its next sign-in.")
        % {"device": row.device_said},
    )
    if row.token_hash == trust_token_hash(request):
        trust_cookie_clear(response)
    return response


@login_required
@require_POST
def trusted_browsers_forget_all_view(request: AuthenticatedRequest) -> HttpResponse:
    count = trusted_browsers_forget_all(user=request.user, acting_user=request.user)
    response = _to_trusted_browsers()
    trust_cookie_clear(response)
    messages.success(
        request,
        ngettext(
            "Forgot %(count)s browser: every sign-in asks for a code again.",
            "Forgot %(count)s browsers: every sign-in asks for a code again.",
            count,
        )
        % {"count": count}
        if count
        else _("No browser was trusted."),
    )
    return response
