"""Session and authentication middleware for `sessions_app.backends.db`.

Both subclass Django's own, so the admin's system checks (admin.E408/E410) and
everything that expects them keep working; only what differs is overridden.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, cast

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.middleware import (
    AuthenticationMiddleware as DjangoAuthenticationMiddleware,
)
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from core.cache_headers import vary_on
from core.client_ip import client_ip, client_ip_once
from core.security_log import security_event
from sessions_app.auth import session_user
from sessions_app.backends.db import SessionStore
from sessions_app.notices import signed_out_notice

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

FIX = (
    'Set SESSION_ENGINE = "sessions_app.backends.db" and put '
    '"sessions_app.middleware.SessionMiddleware" before '
    '"sessions_app.middleware.AuthenticationMiddleware" in MIDDLEWARE.'
)


class SessionMiddleware(DjangoSessionMiddleware):
    """Attaches `request.session`; on the way out renews, records activity, or
    clears the cookie of a session that is no longer valid.

    Most requests write nothing: activity is written at most every
    SESSIONS_ACTIVITY_INTERVAL and renewal happens only near expiry.
    """

    def process_request(self, request: HttpRequest) -> None:
        cookie = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        session = self.SessionStore(cookie)
        if not isinstance(session, SessionStore):
            raise ImproperlyConfigured(f"sessions_app's SessionMiddleware needs its engine. {FIX}")
        if cookie and session.session_key is None:
            # The signature did not verify: forged, altered, or signed with a retired secret.
            security_event("session.cookie_tampered", ip=client_ip(request), path=request.path)
        session.bind_client(
            ip_address=partial(client_ip_once, request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        request.session = session

    def process_view(self, request: HttpRequest, *args: Any) -> None:
        """A cookie of a session signed out from another device, by staff or by a
        password change: tell why on the page this request shows or leads to (the
        sign-in page, through login_required's redirect). Here, because the messages
        are ready (MessageMiddleware's process_request has run) and the view has not
        rendered yet. The session was loaded above if the request had a cookie
        (`accounts.middleware.UserLocaleMiddleware` reads `request.user`); one not
        loaded yet is not loaded for this, so it stays free when nothing reads it."""
        session = request.session
        if isinstance(session, SessionStore) and session.ended_reason:
            signed_out_notice(request)

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        if not isinstance(session, SessionStore):
            return response
        if not (session.accessed or session.modified):
            return response  # nothing read the session: nothing to check or write
        vary_on(response, "Cookie")
        had_cookie = settings.SESSION_COOKIE_NAME in request.COOKIES
        if session.row is None:
            # Anonymous, signed out, expired or revoked: nothing is stored.
            if had_cookie:
                response.delete_cookie(
                    settings.SESSION_COOKIE_NAME,
                    path=settings.SESSION_COOKIE_PATH,
                    domain=settings.SESSION_COOKIE_DOMAIN,
                    samesite=settings.SESSION_COOKIE_SAMESITE,
                )
            if not session.modified or not session.get("_auth_user_id"):
                return response
        if response.status_code >= 500:
            return response
        renewed = session.touch(now=timezone.now())
        if session.modified or session.has_pending_writes:
            session.save()
        if renewed or session.key_changed or not had_cookie:
            self._set_cookie(response, session)
        return response

    def _set_cookie(self, response: HttpResponse, session: SessionStore) -> None:
        max_age = session.get_expiry_age()
        assert session.session_key is not None  # only a stored (signed-in) session gets here
        response.set_cookie(
            settings.SESSION_COOKIE_NAME,
            session.session_key,
            max_age=max_age,
            domain=settings.SESSION_COOKIE_DOMAIN,
            path=settings.SESSION_COOKIE_PATH,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=settings.SESSION_COOKIE_HTTPONLY,
            samesite=settings.SESSION_COOKIE_SAMESITE,
        )


def _resolve_user(request: HttpRequest) -> Any:
    user = request.user
    user.is_authenticated  # noqa: B018 - evaluates the lazy object
    return getattr(user, "_wrapped", user)


async def _auser(request: HttpRequest) -> Any:
    return await sync_to_async(_resolve_user)(request)


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Sets `request.user` lazily from the user loaded with the session row:
    no second query."""

    def process_request(self, request: HttpRequest) -> None:
        if not isinstance(getattr(request, "session", None), SessionStore):
            raise ImproperlyConfigured(
                f"sessions_app's AuthenticationMiddleware needs its session middleware. {FIX}"
            )
        # The lazy object stands in for the user (as in Django's own middleware).
        request.user = cast("User | AnonymousUser", SimpleLazyObject(lambda: session_user(request)))
        request.auser = partial(_auser, request)
