"""The one base class for a service's refusal that people read."""

from __future__ import annotations

from typing import Any, Self

from core.i18n import reason_said


class DomainError(Exception):
    """A service refused: the action breaks a rule, and the message says which and
    what to do. Shown to people as written.

    Every app's refusals subclass it next to Django's `BadRequest` or
    `PermissionDenied`, so an uncaught one still answers 400 or 403; views and forms
    that show it in place go through `core.errors`, the one place that catches it.

    Raised with `because` where the reason is kept to be read later, by someone else in
    another language (a job's failure shown on a page, emailed to owners): `kept` is the
    untranslated text (marked with gettext_noop) and its values.
    """

    kept: tuple[str, dict[str, Any]] | None = None

    @classmethod
    def because(cls, text: str, **params: Any) -> Self:
        error = cls(reason_said(text, params))
        error.kept = (text, params)
        return error


def refusal_message(error: BaseException) -> str:
    """The sentence to show: `message` where the error carries one, else its text."""
    return getattr(error, "message", None) or str(error)
