"""The "new API key" form: name, permissions (only those the creator holds), expiry."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api import services
from api.exceptions import ApiKeyNameTaken
from api.models import ApiKey
from api.scopes import API_SCOPES
from core import widgets
from core.errors import ServiceForm
from core.permissions import PERMISSIONS

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import Role, Tenant

# "never" rather than "": a required field takes "" for no choice, so "Never" was refused.
NEVER = "never"
EXPIRY_CHOICES = [
    ("30", _("In 30 days")),
    ("90", _("In 90 days")),
    ("365", _("In a year")),
    (NEVER, _("Never")),
]


class ApiKeyForm(ServiceForm):
    refusal_fields = {ApiKeyNameTaken: "name"}

    name = forms.CharField(
        label=_("Name"),
        max_length=60,
        widget=forms.TextInput({"class": "input", "autocomplete": "off"}),
        help_text=_("What uses it, e.g. “Zapier” or “Nightly export”."),
        error_messages={"required": _("Give the key a name.")},
    )
    scopes = forms.MultipleChoiceField(
        label=_("Permissions"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Without any, the key can read the members, teams, roles and files."),
    )
    expires = forms.ChoiceField(
        label=_("Expires"),
        choices=EXPIRY_CHOICES,
        initial="90",
        widget=widgets.Select,
        error_messages={"required": _("Choose when the key expires.")},
    )

    def __init__(self, *args: Any, tenant: Tenant, user: User, role: Role, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant, self.user = tenant, user
        # Only what some operation needs and the creator holds is offered; the service
        # checks both again.
        scopes = self.fields["scopes"]
        assert isinstance(scopes, forms.MultipleChoiceField)
        scopes.choices = [
            (p.code, p.name)
            for p in PERMISSIONS
            if p.code in API_SCOPES and role.has_permission(p.code)
        ]
        if not scopes.choices:  # the help text would speak of boxes there are none of
            scopes.help_text = _(
                "Your role has none of the permissions a key can carry, so your keys can "
                "read the members, teams, roles and files, and change nothing."
            )
        self.fields["expires"].widget.attrs["class"] = "input"

    def save(self) -> tuple[ApiKey, str] | None:
        data = self.cleaned_data
        days = data["expires"]
        expires_at = None if days == NEVER else timezone.now() + timedelta(days=int(days))
        return self.run(
            lambda: services.api_key_create(
                tenant=self.tenant,
                name=data["name"],
                scopes=data["scopes"],
                expires_at=expires_at,
                acting_user=self.user,
            )
        )
