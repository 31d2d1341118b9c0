"""Pages about confirming an address: "check your email" after sign-up, the emailed
sign-up link that creates the account, and the page shown when an action needs a
verified address (accounts.decorators.verified_email_required)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from accounts import services_signup
from accounts.decorators import TEMPLATE as VERIFY_REQUIRED_TEMPLATE
from accounts.exceptions import EmailTaken, PasswordNeeded, TokenError, TokenUsed
from accounts.forms import ChoosePasswordForm
from accounts.http import session_sign_in
from accounts.signup_browser import signup_browser_key, signup_cookie_name, signup_cookie_read
from accounts.views_email import _link_problem, _no_referrer
from core.cache_headers import never_cache
from core.same_site import same_site_url

if TYPE_CHECKING:
    from core.types import AuthenticatedRequest


@never_cache
@require_GET
def sign_up_sent(request: HttpRequest) -> HttpResponse:
    """Where every valid sign-up lands, whether or not the address has an account.
    The browser that sent the form is shown the address it typed (a typo can be
    spotted); opened anywhere else, the page names none."""
    cookie = signup_cookie_read(request)
    response = render(request, "accounts/sign_up_sent.html", {"typed": cookie.typed})
    if cookie.spent:
        response.delete_cookie(signup_cookie_name())
    return response


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def sign_up_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows whose account the link creates; POST creates it and signs in.
    Nothing happens on GET: mail scanners open links. Away from the browser that
    filled in the form, its holder chooses the password on this page."""
    browser_key = signup_browser_key(request)
    form = ChoosePasswordForm(request.POST if request.method == "POST" else None)
    try:
        pending = services_signup.signup_pending_check(raw_token=token)
        if request.method == "POST" and form.is_valid():
            user = services_signup.signup_complete(
                raw_token=token, browser_key=browser_key, password=form.cleaned_data["password"]
            )
            session_sign_in(request, user)
            messages.success(request, _("Welcome to Pacetrack! Your workspace is ready."))
            response = redirect(settings.LOGIN_REDIRECT_URL)
            response.delete_cookie(signup_cookie_name())
            return response
    except PasswordNeeded as error:
        form.add_error("password", str(error.args[0]))
    except ValidationError as error:  # the password rules
        form.add_error("password", error)
    except (TokenError, EmailTaken) as error:
        if isinstance(error, TokenUsed) and request.user.is_authenticated:
            # Their own link opened again from the email: "Sign in with your email and
            # password" would be wrong advice to someone signed in.
            messages.info(request, _("That sign-up link was used already: you are signed in."))
            return redirect(settings.LOGIN_REDIRECT_URL)
        return _link_problem(request, str(error.args[0]), kind="signup")
    context = {
        "email": pending.email,
        "name": pending.name,
        "form": form,
        "same_browser": services_signup.signup_same_browser(
            pending=pending, browser_key=browser_key
        ),
    }
    return _no_referrer(render(request, "accounts/sign_up_confirm.html", context))


@login_required
@never_cache
@require_GET
def verify_required(request: AuthenticatedRequest) -> HttpResponse:
    """The explanation page htmx requests are sent to when refused for an
    unverified address (plain requests get it directly, with a 403)."""
    back = same_site_url(request, request.GET.get("next", "")) or reverse(
        settings.LOGIN_REDIRECT_URL
    )
    if request.user.email_verified_at is not None:
        return redirect(back)
    return render(request, VERIFY_REQUIRED_TEMPLATE, {"next": back})
