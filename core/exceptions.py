"""The one base class for a service's refusal that people read."""

from __future__ import annotations


class DomainError(Exception):
    """A service refused: the action breaks a rule, and the message says which and
    what to do. Shown to people as written.

    Every app's refusals subclass it next to Django's `BadRequest` or
    `PermissionDenied`, so an uncaught one still answers 400 or 403; views and forms
    that show it in place go through `core.errors`, the one place that catches it.
    """


def refusal_message(error: BaseException) -> str:
    """The sentence to show: `message` where the error carries one, else its text."""
    return getattr(error, "message", None) or str(error)
