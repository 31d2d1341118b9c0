"""Sign in, sign up, connect and disconnect with Google, Microsoft and GitHub."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.cache_headers import never_cache
from core.errors import run_action
from core.same_site import same_site_path
from mfa.decorators import reauth_required
from sso.exceptions import ConnectionRefused, LinkRefused, SignInRefused, SsoRequired
from sso.flow_cookie import FlowCookie, flow_cookie_clear
from sso.models import SocialIdentity
from sso.protocol import callback_check
from sso.services_social import (
    social_identity_connect,
    social_identity_disconnect,
    social_link_check,
    social_link_confirm,
    social_sign_in,
)
from sso.social import (
    Provider,
    ProviderIdentity,
    social_authorization_start,
    social_identity_fetch,
    social_provider_get,
)
from sso.views_flow import (
    Factor,
    flow_for,
    leave_for_provider,
    reauth_finish,
    refused,
    sign_in_finish,
)

if TYPE_CHECKING:
    from core.types import AuthenticatedRequest


def _provider(key: str) -> Provider:
    provider = social_provider_get(key)
    if provider is None:
        raise Http404("No such sign-in provider.")
    return provider


def _callback_uri(request: HttpRequest, provider: Provider) -> str:
    return request.build_absolute_uri(reverse("sso:social-callback", args=[provider.value]))


def _start(
    request: HttpRequest, provider: Provider, *, purpose: str, next_url: str
) -> HttpResponse:
    try:
        url, flow = social_authorization_start(
            provider=provider.value, redirect_uri=_callback_uri(request, provider)
        )
    except ConnectionRefused:
        messages.error(
            request,
            _("%(provider)s cannot be reached right now. Try again later.")
            % {"provider": provider.label},
        )
        return redirect("accounts:sign-in")
    user_id = request.user.pk if request.user.is_authenticated else None
    cookie = FlowCookie(
        flow=flow, purpose=purpose, source=provider.value, next_url=next_url, user_id=user_id
    )
    return leave_for_provider(request, url, cookie)


@csrf_protect
@require_POST
def social_start(request: HttpRequest, provider: str) -> HttpResponse:
    """The sign-in/sign-up buttons: off to the provider."""
    chosen = _provider(provider)
    next_url = same_site_path(request, request.POST.get("next", ""))
    return _start(request, chosen, purpose="social", next_url=next_url)


@login_required
@reauth_required
@require_POST
def social_connect(request: AuthenticatedRequest, provider: str) -> HttpResponse:
    """The security page's "Connect": the signed-in person proves control."""
    return _start(request, _provider(provider), purpose="connect", next_url="")


@login_required
@require_POST
def social_reauth(request: AuthenticatedRequest, provider: str) -> HttpResponse:
    """ "Confirm with Google" on the re-authentication prompt."""
    next_url = same_site_path(request, request.POST.get("next", ""))
    return _start(request, _provider(provider), purpose="reauth", next_url=next_url)


@never_cache
@require_GET
def social_callback(request: HttpRequest, provider: str) -> HttpResponse:
    """Where the provider sends the browser back (state, code)."""
    chosen = social_provider_get(provider)
    cookie = flow_for(request, purposes={"social", "connect", "reauth"}, source=provider)
    try:
        code = callback_check(
            flow=cookie.flow if cookie and chosen else None, params=request.GET.dict()
        )
        assert cookie is not None and chosen is not None  # callback_check refused otherwise
        identity = social_identity_fetch(
            provider=chosen.value,
            code=code,
            flow=cookie.flow,
            redirect_uri=_callback_uri(request, chosen),
        )
        if cookie.purpose == "connect":
            return _connect(request, cookie, identity)
        if cookie.purpose == "reauth":
            proven = SocialIdentity.objects.filter(
                user_id=cookie.user_id or 0, provider=identity.provider, subject=identity.subject
            ).exists()
            return reauth_finish(
                request, user_id=cookie.user_id, next_url=cookie.next_url, proven=proven
            )
        user = social_sign_in(identity=identity)
    except (SignInRefused, LinkRefused, SsoRequired) as error:
        return refused(request, error, status=400 if isinstance(error, SignInRefused) else 403)
    return sign_in_finish(request, user, factor=Factor.SOCIAL, next_url=cookie.next_url)


def _connect(request: HttpRequest, cookie: FlowCookie, identity: ProviderIdentity) -> HttpResponse:
    """Link to the person who started the connection, still signed in on this browser."""
    user = request.user
    if not user.is_authenticated or user.pk != cookie.user_id:
        raise SignInRefused(_("Sign in again, then connect the account from your security page."))
    social_identity_connect(user=user, identity=identity)
    messages.success(
        request, _("%(provider)s is connected.") % {"provider": Provider(identity.provider).label}
    )
    response = redirect("mfa:security")
    flow_cookie_clear(response)
    return response


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def social_link(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: GET asks (mail scanners open links), POST connects and signs in."""
    try:
        pending = social_link_check(token=token)
        if request.method == "GET":
            context = {"pending": pending, "provider": Provider(pending.provider).label}
            return render(request, "sso/link_confirm.html", context)
        user = social_link_confirm(token=token)
    except (SignInRefused, LinkRefused, SsoRequired) as error:
        return refused(request, error, status=400 if isinstance(error, SignInRefused) else 403)
    messages.success(
        request, _("%(provider)s is connected.") % {"provider": Provider(pending.provider).label}
    )
    return sign_in_finish(request, user, factor=Factor.SOCIAL, next_url="")


@login_required
@reauth_required
@require_POST
def social_disconnect(request: AuthenticatedRequest, provider: str) -> HttpResponse:
    if provider not in Provider.values:
        raise Http404("No such sign-in provider.")
    run_action(
        request,
        lambda: social_identity_disconnect(user=request.user, provider=provider),
        success=_("%(provider)s is disconnected.") % {"provider": Provider(provider).label},
    )
    return redirect("mfa:security")
