"""Pages for the email workflows. Links arrive with a token in the path; those
responses send no Referer to other sites, so the token cannot leak."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services_email
from accounts.exceptions import EmailTaken, PasswordNeeded, ResendTooSoon, TokenError
from accounts.forms import ChoosePasswordForm
from accounts.forms_email import EmailChangeForm, PasswordForgotForm, PasswordResetForm
from accounts.http import password_in_post, session_sign_in, sign_in_refusal
from accounts.models import EmailToken, User
from core.cache_headers import never_cache
from core.same_site import same_site_url
from mfa.decorators import reauth_required
from mfa.pending import pending_sign_in_start
from mfa.selectors import second_step_required
from ratelimit.decorators import consume_or_429, rate_limit, user_or_ip

if TYPE_CHECKING:
    from core.types import AuthenticatedRequest


def _no_referrer(response: HttpResponse) -> HttpResponse:
    # "same-origin", not "no-referrer": with no-referrer browsers send `Origin: null`
    # on the page's own form POST, which Django's CSRF origin check rejects.
    response["Referrer-Policy"] = "same-origin"
    return response


def _link_problem(request: HttpRequest, message: str, *, kind: str) -> HttpResponse:
    response = render(
        request, "accounts/verify_invalid.html", {"message": message, "kind": kind}, status=400
    )
    return _no_referrer(response)


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """Open a verification link. In a browser signed in to the account it confirms the
    address at once; anywhere else (another device, a mail scanner, a stranger's account
    made with your address) its page has the holder choose the password first
    (`services_email.email_verify`). An email-change link asks first, with a button:
    mail scanners open links, and one at a mistyped new address would otherwise move the
    account there."""
    signed_in = request.user.pk if isinstance(request.user, User) else None
    form = ChoosePasswordForm(request.POST if request.method == "POST" else None)
    try:
        if request.method == "GET":
            change = services_email.email_change_check(raw_token=token)
            if change is not None:
                addresses = {"old_email": change.user.email, "new_email": change.email}
                return _no_referrer(
                    render(request, "accounts/email_change_confirm.html", addresses)
                )
        link = services_email.email_link_check(raw_token=token)
        claim = link.purpose == EmailToken.Purpose.VERIFY_EMAIL and (
            services_email.verify_needs_password(token=link, signed_in_user_id=signed_in)
        )
        if claim and not (request.method == "POST" and form.is_valid()):
            return _verify_claim_page(request, link, form)
        used = services_email.email_verify(
            raw_token=token,
            signed_in_user_id=signed_in,
            password=form.cleaned_data["password"] if claim else "",
        )
    except PasswordNeeded as error:
        form.add_error("password", str(error.args[0]))
        return _verify_claim_page(request, link, form)
    except ValidationError as error:  # the password rules
        form.add_error("password", error)
        return _verify_claim_page(request, link, form)
    except (TokenError, EmailTaken) as error:
        return _link_problem(request, str(error.args[0]), kind="verify")
    if claim:
        # Every session of the account ended; this browser starts a fresh one.
        session_sign_in(request, used.user)
        messages.success(request, _("Your email address is confirmed and your password is set."))
        return redirect("workspaces:app")
    is_owner = False
    if isinstance(request.user, User) and request.user.pk == used.user_id:
        is_owner = True
        # request.user was loaded before the link was used; the header and the
        # verification banner must show the address as it is now.
        request.user.refresh_from_db(fields=["email", "email_verified_at"])
    context = {
        "changed": used.purpose == EmailToken.Purpose.EMAIL_CHANGE,
        "email": used.user.email,
        "is_owner": is_owner,
    }
    return _no_referrer(render(request, "accounts/verify_done.html", context))


def _verify_claim_page(
    request: HttpRequest, link: EmailToken, form: ChoosePasswordForm
) -> HttpResponse:
    status = 400 if form.errors else 200
    context = {"email": link.user.email, "form": form, "sign_in_next": request.path}
    return _no_referrer(render(request, "accounts/verify_claim.html", context, status=status))


@require_POST
@login_required
@rate_limit(tier="email-send")  # 5 an hour per user, on top of the 60-second cooldown
def verify_email_resend(request: AuthenticatedRequest) -> HttpResponse:
    """The banner's "resend" button."""
    user = request.user
    if user.email_verified_at is not None:
        messages.info(request, _("Your email address is already verified."))
    else:
        try:
            services_email.email_verification_resend(user=user)
        except ResendTooSoon as error:
            messages.warning(request, str(error.args[0]))
        else:
            messages.success(
                request,
                _("We sent a new verification link to %(email)s. It works for 48 hours.")
                % {"email": user.email},
            )
    return redirect(
        same_site_url(request, request.POST.get("next", "")) or reverse("workspaces:app")
    )


@sensitive_post_parameters("password")
@login_required
@reauth_required(proof=password_in_post("password"))
def email_change(request: AuthenticatedRequest) -> HttpResponse:
    """Ask for a new address; it replaces the current one once verified."""
    user = request.user
    if request.method == "POST" and request.POST.get("action") == "cancel":
        services_email.email_change_cancel(user=user)
        messages.info(
            request, _("The email change was cancelled; the link we sent no longer works.")
        )
        return redirect("accounts:email-change")
    form = EmailChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        # Each request emails an address the user typed (wrong passwords have their
        # own budget, in the form).
        if refused := consume_or_429(request, tier="email-send", key=user_or_ip(request)):
            return refused
        new_email = form.cleaned_data["new_email"]
        try:
            services_email.email_change_request(user=user, new_email=new_email)
        except EmailTaken as error:
            form.add_error("new_email", str(error.args[0]))
        else:
            messages.success(
                request,
                _("We sent a link to %(email)s. Your email changes when you open it.")
                % {"email": new_email},
            )
            return redirect("accounts:email-change")
    pending = services_email.email_change_pending(user=user)
    return render(request, "accounts/email_change.html", {"form": form, "pending": pending})


def password_forgot(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link. Known and unknown addresses get the same answer
    after the same work (one enqueued task)."""
    form = PasswordForgotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services_email.password_reset_request(email=form.cleaned_data["email"])
        return redirect("accounts:password-forgot-sent")
    return render(request, "accounts/password_forgot.html", {"form": form})


def password_forgot_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_forgot_sent.html")


@never_cache
def password_reset(request: HttpRequest, token: str) -> HttpResponse:
    """Choose a new password from a reset link; success signs out every session
    and signs this browser in."""
    try:
        reset = services_email.password_reset_check(raw_token=token)
    except TokenError as error:
        return _link_problem(request, str(error.args[0]), kind="reset")
    form = PasswordResetForm(request.POST or None, user=reset.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services_email.password_reset_complete(
                raw_token=token, password=form.cleaned_data["password1"]
            )
        except TokenError as error:  # used in another tab a moment ago
            return _link_problem(request, str(error.args[0]), kind="reset")
        refusal = sign_in_refusal(request, user, method="password")
        if refusal:  # the password changed, but this is not how they sign in
            messages.success(request, _("Your password was changed."))
            messages.error(request, refusal)
            return redirect("accounts:sign-in")
        if second_step_required(user=user):
            # The emailed link replaces the password, not the second factor.
            messages.success(request, _("Your password was changed. Now enter your code."))
            verify = redirect("accounts:sign-in-verify")
            pending_sign_in_start(request, verify, user=user)
            return verify
        # Every session was revoked; this browser starts a fresh one (new token).
        session_sign_in(request, user)
        messages.success(
            request, _("Your password was changed and every other device was signed out.")
        )
        return redirect("workspaces:app")
    response = render(
        request, "accounts/password_reset.html", {"form": form, "email": reset.user.email}
    )
    return _no_referrer(response)
