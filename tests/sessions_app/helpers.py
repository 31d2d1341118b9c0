from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client

from sessions_app.models import Session
from sessions_app.tokens import token_hash, token_unsign
from tests.accounts.factories import DEFAULT_PASSWORD

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)


def cookie(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def row_of(client: Client) -> Session:
    token = token_unsign(cookie(client))
    assert token is not None
    return Session.objects.get(token_hash=token_hash(token))


def sign_in(client: Client, user: Any, **extra: Any) -> Any:
    """Sign in through the real page, as a browser would."""
    response = client.post(
        "/auth/sign-in/", {"email": user.email, "password": DEFAULT_PASSWORD}, **extra
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return response
