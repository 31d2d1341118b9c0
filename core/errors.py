"""One path from a service's refusal to a response.

A view or form hands the service call to `attempt`; a `DomainError` comes back as
an `Outcome` with the message to show (and the plan's upgrade link, when a cap was
hit), anything else propagates. On top of it:

- `run_action(request, ...)`: plain posts get the outcome as a flash message; htmx
  callers get the success as a toast (`core.htmx`) and render `outcome.error` in place;
- `ServiceForm.run(...)`: the refusal becomes a form error beside the form
  (a `ValidationError` from the model is mapped onto its fields).

Refusals nobody catches still map to 400/403 through their Django base classes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from core.exceptions import DomainError, refusal_message

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a service call came to: its value, or the refusal to show."""

    value: T | None = None
    error: str | None = None
    upgrade_url: str = ""
    refusal: DomainError | None = None  # what was raised, for a form to place the message

    @property
    def ok(self) -> bool:
        return self.error is None


def attempt(action: Callable[[], T]) -> Outcome[T]:
    """Run the service call; a refusal (DomainError) becomes the outcome's message."""
    try:
        return Outcome(value=action())
    except DomainError as error:
        return Outcome(
            error=refusal_message(error),
            upgrade_url=getattr(error, "upgrade_url", ""),
            refusal=error,
        )


def run_action(
    request: HttpRequest,
    action: Callable[[], T],
    *,
    success: str | None = None,
    in_place: bool = False,
) -> Outcome[T]:
    """`attempt`, with the outcome flashed: a plain post shows it on the next page; an
    htmx request shows the success as a toast (`core.htmx.HtmxMessagesMiddleware`),
    unless its answer says it `in_place` too, and the refusal in place."""
    outcome = attempt(action)
    htmx = getattr(request, "htmx", False)
    if outcome.error is not None:
        if not htmx:
            messages.error(request, outcome.error)
    elif success and not (htmx and in_place):
        messages.success(request, success)
    return outcome


class ServiceForm(forms.Form):
    """Turns what a service refuses into form errors shown beside the form.

    `upgrade_url` is set when the refusal was a plan cap, for the template's button.
    A refusal about one field (a URL that leads nowhere safe) is shown beside that
    field: `refusal_fields` maps its class to the field's name.
    """

    upgrade_url: str = ""
    refusal_fields: ClassVar[dict[type[DomainError], str]] = {}

    def run(self, action: Callable[[], Any]) -> Any:
        try:
            outcome = attempt(action)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(None, error)
            return None
        if outcome.error is not None:
            self.upgrade_url = outcome.upgrade_url
            beside = next(
                (
                    name
                    for kind, name in self.refusal_fields.items()
                    if isinstance(outcome.refusal, kind) and name in self.fields
                ),
                None,
            )
            self.add_error(beside, outcome.error)
        return outcome.value
