"""Sign-up, sign-in, sign-out and the account page. Thin: forms validate, services act."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services_email
from accounts.forms import LocaleForm, PasswordChangeForm, ProfileForm, SignInForm, SignUpForm
from accounts.http import password_in_post, session_sign_in, sign_in_options
from accounts.signup_browser import (
    signup_browser_key_new,
    signup_cookie_name,
    signup_cookie_read,
)
from core.cache_headers import never_cache
from core.same_site import same_site_path
from mfa.decorators import reauth_required
from mfa.pending import pending_sign_in_start
from mfa.selectors import second_step_required
from mfa.trusted import trusted_browser_here
from sessions_app.authentication import (
    Factor,
    session_authenticated,
    session_trusted_browser_set,
)
from uploads.forms import AvatarForm

if TYPE_CHECKING:
    from core.types import AuthenticatedRequest


def _next_url(request: HttpRequest) -> str:
    """`next` only when it is a path on this site; otherwise "" (no open redirect)."""
    return same_site_path(request, request.POST.get("next") or request.GET.get("next") or "")


def _after_sign_in(request: HttpRequest) -> str:
    return _next_url(request) or reverse(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_after_sign_in(request))
    form = SignUpForm(request.POST or None)
    # "Use a different address" on "Check your email": the form as this browser sent
    # it, but for the password, with the address to correct focused.
    changing = request.method == "GET" and request.GET.get("change") == "email"
    cookie = signup_cookie_read(request) if changing else None
    typed = cookie.typed if cookie else None
    if typed:
        form = SignUpForm(initial={"name": typed.name, "email": typed.email})
        form.focus_email()
    if request.method == "POST" and form.is_valid():
        if settings.ACCOUNTS_SIGNUP_EMAIL_CONFIRMATION:
            # New or taken address: the same redirect, to the same page, the same cookie.
            response = redirect("accounts:sign-up-sent")
            # The cookie keeps what was typed: the next page names the address, and
            # "Use a different address" brings the form back filled in.
            key = signup_browser_key_new(
                response, email=form.cleaned_data["email"], name=form.cleaned_data["name"]
            )
            form.send_confirmation(browser_key=key)
            return response
        user = form.save()
        services_email.email_verification_send(user=user)
        session_sign_in(request, user)
        messages.success(request, _("Welcome to Pacetrack! Your workspace is ready."))
        return redirect(_after_sign_in(request))
    next_url = _next_url(request)
    context = {
        "form": form,
        "next": next_url,
        "confirm_by_email": settings.ACCOUNTS_SIGNUP_EMAIL_CONFIRMATION,
        "options": sign_in_options(request, next_url),
        "sign_in_url": reverse("accounts:sign-in")
        + (f"?{urlencode({'next': next_url})}" if next_url else ""),
    }
    page = render(request, "accounts/sign_up.html", context)
    if cookie and cookie.spent:
        page.delete_cookie(signup_cookie_name())
    return page


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_after_sign_in(request))
    # ?email= fills the address in (an invitation's "Sign in to accept" knows it).
    initial = {"email": request.GET.get("email", "")[:254]}
    form = SignInForm(request.POST or None, request=request, initial=initial)
    if request.method == "POST" and form.is_valid():
        assert form.user is not None  # clean() refuses the form without one
        if second_step_required(user=form.user):
            if trusted := trusted_browser_here(request, user=form.user):
                # Its person passed the second step here and ticked "Don't ask again".
                session_sign_in(request, form.user)
                factors = [Factor.PASSWORD, Factor.TRUSTED_BROWSER]
                session_authenticated(request.session, factors=factors)
                session_trusted_browser_set(request.session, trusted_browser_id=trusted.pk)
                return redirect(_after_sign_in(request))
            # Not signed in yet: the second step finishes it (accounts.views_second_step).
            response = redirect("accounts:sign-in-verify")
            pending_sign_in_start(request, response, user=form.user, next_url=_next_url(request))
            return response
        session_sign_in(request, form.user)
        return redirect(_after_sign_in(request))
    next_url = _next_url(request)
    context = {"form": form, "next": next_url, "options": sign_in_options(request, next_url)}
    return render(request, "accounts/sign_in.html", context)


# Signs the language carried from sign-out to the signed-out page.
_SIGNED_OUT_SALT = "accounts.signed-out.language"


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Revokes this session (the row stays, marked revoked) and clears the cookie.

    Clear-Site-Data also drops the browser's cached copies of signed-in pages and
    every cookie of this site, so the next person at a shared computer finds nothing.
    Browsers apply it after this response's own Set-Cookie, so the "signed out"
    message is set by the next step, `signed_out`.
    """
    # The language the person read in, carried past the cleared cookies (signed, for 60 s:
    # a made-up link sets nobody's language; a copied one, within the minute, only that).
    language = getattr(request.user, "language", "") or request.COOKIES.get(
        settings.LANGUAGE_COOKIE_NAME, ""
    )
    logout(request)
    target = reverse("accounts:signed-out")
    if language in dict(settings.LANGUAGES):
        target += "?" + urlencode({"language": signing.dumps(language, salt=_SIGNED_OUT_SALT)})
    response = redirect(target)
    response["Clear-Site-Data"] = '"cache", "cookies"'
    return response


@require_GET
def signed_out(request: HttpRequest) -> HttpResponse:
    """Where sign-out lands once the browser has cleared this site's data. The pages
    after it stay in the language the person chose (their account's, else the
    signed-out picker's): clearing the cookies had turned them English."""
    try:
        language = signing.loads(request.GET.get("language", ""), salt=_SIGNED_OUT_SALT, max_age=60)
    except signing.BadSignature:
        language = ""
    if language not in dict(settings.LANGUAGES):
        language = ""
    with translation.override(language or translation.get_language()):
        messages.info(request, _("You have been signed out."))
    response = redirect(settings.LOGOUT_REDIRECT_URL)
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


def _profile_page(
    request: AuthenticatedRequest,
    *,
    profile_form: ProfileForm | None = None,
    password_form: PasswordChangeForm | None = None,
    locale_form: LocaleForm | None = None,
) -> HttpResponse:
    context = {
        "profile_form": profile_form or ProfileForm(instance=request.user),
        "password_form": password_form or PasswordChangeForm(request=request),
        "locale_form": locale_form or LocaleForm(request=request),
        "avatar_form": AvatarForm(),
    }
    return render(request, "accounts/profile.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedRequest) -> HttpResponse:
    """GET shows the account page; POST saves the profile (name)."""
    if request.method == "GET":
        return _profile_page(request)
    form = ProfileForm(request.POST, instance=request.user)
    if not form.is_valid():
        return _profile_page(request, profile_form=form)
    form.save()
    messages.success(request, _("Your profile is saved."))
    return redirect("accounts:profile")


@login_required
@require_POST
def locale(request: AuthenticatedRequest) -> HttpResponse:
    """Save the language and time zone; the next page is in the new language."""
    form = LocaleForm(request.POST, request=request)
    if not form.is_valid():
        return _profile_page(request, locale_form=form)
    user = form.save()
    # The message is translated now: in the language the next page will be in.
    translation.activate(user.language or translation.get_language_from_request(request))
    messages.success(request, _("Your language and time zone are saved."))
    return redirect("accounts:profile")


@sensitive_post_parameters("current_password", "new_password", "confirm_password")
@login_required
@reauth_required(proof=password_in_post("current_password"))
@require_POST
def password(request: AuthenticatedRequest) -> HttpResponse:
    """Change the password (or set the first one, for someone who signed up with a
    provider); this device stays signed in, all others are signed out."""
    form = PasswordChangeForm(request.POST, request=request)
    if not form.is_valid():
        return _profile_page(request, password_form=form)
    first = form.sets_first_password
    others = form.save()
    if first and others:
        message = ngettext(
            "Your password is set. %(count)s other device was signed out.",
            "Your password is set. %(count)s other devices were signed out.",
            others,
        ) % {"count": others}
    elif first:
        message = _("Your password is set.")
    elif others:
        message = ngettext(
            "Your password has been changed. %(count)s other device was signed out.",
            "Your password has been changed. %(count)s other devices were signed out.",
            others,
        ) % {"count": others}
    else:
        message = _("Your password has been changed.")
    messages.success(request, message)
    return redirect("accounts:profile")
