"""Text said in the language of whoever reads it, not of whoever caused it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext


def said_later(text: Callable[[], str]) -> str:
    """`text()`, worked out when it is rendered. An email goes out in each recipient's
    language (accounts.mail_delivery renders it once per language), which need not be
    that of the request or job sending it: an administrator, a command, a daily job."""
    return lazy(text, str)()


def reason_said(text: str, params: dict[str, Any]) -> str:
    """A kept reason (`DomainError.because`: untranslated text and its values) in the
    active language."""
    return gettext(text) % params if params else gettext(text)
