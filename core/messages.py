"""Flash-message storage that costs nothing on the requests that show no messages.

Django's `CookieStorage` builds its cookie signer (the signing backend imported by
name, the secret and fallbacks prepared) as soon as `MessageMiddleware` makes it, on
every request; most requests never read or add a message. Here the signer is made
the first time a message cookie is read or written. Reading, writing and the cookie
format are Django's own.
"""

from __future__ import annotations

from typing import Any

from django.contrib.messages.storage.base import BaseStorage
from django.contrib.messages.storage.cookie import CookieStorage
from django.core import signing
from django.http import HttpRequest
from django.utils.functional import cached_property


class LazyCookieStorage(CookieStorage):
    """`CookieStorage` whose signer is made only when the message cookie is used."""

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        BaseStorage.__init__(self, request, *args, **kwargs)  # everything but the signer

    @cached_property
    def signer(self) -> signing.Signer:
        return signing.get_cookie_signer(salt=self.key_salt)
