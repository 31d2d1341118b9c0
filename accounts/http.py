"""Signing a person in on this request (where to send them next: core/same_site.py).

Every sign-in (password, emailed sign-up link, invitation sign-up) goes through
`session_sign_in`, so the session-fixation rule is written once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from accounts.services_security import current_password_check
from accounts.signals import reauth_page_options, sign_in_check, sign_in_page_options

if TYPE_CHECKING:
    from accounts.models import User


def session_sign_in(request: HttpRequest, user: User) -> None:
    """Sign `user` in with a brand-new session token.

    login() rotates the token only when the session had no user; rotating here too
    means every sign-in gets a new token (no session fixation, ever)."""
    request.session.cycle_key()
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    # What this request still says (a "password changed" message) is in the language
    # of the pages that follow (UserLocaleMiddleware), not the browser's.
    if user.language:
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language


def sign_in_refusal(request: HttpRequest, user: User, *, method: str) -> str | None:
    """Why `user` may not sign in with `method` although the credential was right
    (the apps above answer: an organisation that requires its own sign-in), or None."""
    for _, refusal in sign_in_check.send(sender=None, user=user, method=method, request=request):
        if refusal:
            return str(refusal)
    return None


def sign_in_options(request: HttpRequest, next_url: str) -> SafeString:
    """The other ways to sign in or up that apps above offer, as HTML for the page."""
    parts = sign_in_page_options.send(sender=None, request=request, next_url=next_url)
    return mark_safe("".join(str(html) for _, html in parts if html))  # noqa: S308 - rendered templates


def reauth_options(request: HttpRequest, next_url: str) -> SafeString:
    """Other ways to confirm it's you that apps above offer, as HTML for the prompt."""
    parts = reauth_page_options.send(sender=None, request=request, next_url=next_url)
    return mark_safe("".join(str(html) for _, html in parts if html))  # noqa: S308 - rendered templates


def password_in_post(field: str) -> Callable[[HttpRequest], bool]:
    """A `reauth_required(proof=…)` for a form that asks for the current password in
    `field`: right, it proves the person as the prompt would (the same check and budget
    of wrong guesses, `current_password_check`); wrong or absent, the prompt asks."""

    def proves(request: HttpRequest) -> bool:
        user = request.user
        typed = request.POST.get(field, "")
        if not typed or not user.is_authenticated or not user.has_usable_password():
            return False
        try:
            current_password_check(user=user, password=typed)
        except ValidationError:
            return False
        return True

    return proves
