"""The "add an endpoint" form, and the one that edits an endpoint with the same fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.errors import ServiceForm
from core.exceptions import refusal_message
from webhooks import services
from webhooks.events import EVENT_TYPES
from webhooks.exceptions import UnsafeDestination
from webhooks.models import Endpoint

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import Tenant


class _EndpointFields(ServiceForm):
    """What an endpoint is made of, checked the same way when it is added and edited."""

    refusal_fields = {UnsafeDestination: "url"}

    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(
            {"class": "input", "dir": "ltr", "placeholder": "https://example.com/webhooks"}
        ),
        help_text=_("An HTTPS address on the public internet."),
        error_messages={"required": _("Enter the address to send events to.")},
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        widget=forms.TextInput({"class": "input"}),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(code, format_lazy("{}: {}", code, label)) for code, label in EVENT_TYPES.items()],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )

    def __init__(self, *args: Any, tenant: Tenant, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant, self.user = tenant, user

    def clean(self) -> dict[str, Any]:
        """A form refused for another field says what is wrong with a new URL too, so
        two mistakes take one round, not two. An otherwise right form leaves the check to
        the service (one DNS lookup); an edit's unchanged URL is not checked (see
        `endpoint_update`)."""
        data = super().clean() or {}
        url = data.get("url")
        if url and self.errors and url != self.initial.get("url"):
            try:
                services.destination_check(url=url, tenant=self.tenant, acting_user=self.user)
            except UnsafeDestination as refusal:
                self.add_error("url", refusal_message(refusal))
        return data


class EndpointForm(_EndpointFields):
    def save(self) -> tuple[Endpoint, str] | None:
        data = self.cleaned_data
        return self.run(
            lambda: services.endpoint_create(
                tenant=self.tenant,
                url=data["url"],
                description=data["description"],
                event_types=data["event_types"],
                acting_user=self.user,
            )
        )


class EndpointEditForm(_EndpointFields):
    """Filled with the endpoint as it is; a refused URL stays typed beside its reason."""

    def __init__(
        self, *args: Any, tenant: Tenant, user: User, endpoint: Endpoint, **kwargs: Any
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                "url": endpoint.url,
                "description": endpoint.description,
                "event_types": endpoint.event_types,
            },
        )
        super().__init__(*args, tenant=tenant, user=user, **kwargs)
        self.endpoint = endpoint

    def save(self) -> Endpoint | None:
        data = self.cleaned_data
        return self.run(
            lambda: services.endpoint_update(
                tenant=self.tenant,
                endpoint=self.endpoint,
                acting_user=self.user,
                url=data["url"],
                event_types=data["event_types"],
                description=data["description"],
            )
        )
