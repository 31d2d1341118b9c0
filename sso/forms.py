"""The email-first SSO entry, the domain form and the connection form."""

from __future__ import annotations

from typing import Any

from django import forms

from sso.models import Connection
from tenants.models import Role, Tenant

INPUT = {"class": "input"}


class SsoEmailForm(forms.Form):
    email = forms.EmailField(
        label="Work email",
        max_length=254,
        widget=forms.EmailInput(INPUT | {"autocomplete": "email", "autofocus": True}),
        error_messages={"required": "Enter your work email."},
    )


class DomainForm(forms.Form):
    domain = forms.CharField(
        max_length=253,
        widget=forms.TextInput(INPUT | {"placeholder": "example.com", "autocomplete": "off"}),
        error_messages={"required": "Enter a domain, such as example.com."},
    )


class ConnectionForm(forms.Form):
    issuer = forms.CharField(
        label="Issuer URL",
        max_length=500,
        help_text="Your identity provider's address; its /.well-known/openid-configuration "
        "is read from there (e.g. https://acme.okta.com).",
        widget=forms.URLInput(INPUT | {"autocomplete": "off", "placeholder": "https://"}),
    )
    client_id = forms.CharField(
        label="Client ID", max_length=255, widget=forms.TextInput(INPUT | {"autocomplete": "off"})
    )
    client_secret = forms.CharField(
        label="Client secret",
        max_length=500,
        required=False,
        strip=True,
        widget=forms.PasswordInput(INPUT | {"autocomplete": "new-password"}),
    )
    scopes = forms.CharField(
        max_length=255,
        initial="openid email profile",
        widget=forms.TextInput(INPUT | {"autocomplete": "off"}),
    )
    default_role = forms.ModelChoiceField(
        queryset=Role.objects.none(),
        label="Role of new members",
        help_text="Given to people who join through SSO or auto-join.",
        widget=forms.Select(INPUT),
    )
    require_sso = forms.BooleanField(
        label="Require SSO for members with a verified-domain address",
        help_text="Their password and Google/Microsoft/GitHub sign-in are refused. Owners "
        "keep a password sign-in for emergencies; each use is in the audit log.",
        required=False,
    )
    auto_join = forms.BooleanField(
        label="Let anyone with a verified-domain address join",
        help_text="They join with the role above when they sign in, without an invitation.",
        required=False,
    )
    join_requests = forms.BooleanField(
        label="…or let them ask to join",
        help_text="Without auto-join: signing in asks to join, and an owner approves below.",
        required=False,
    )

    def __init__(self, *args: Any, tenant: Tenant, connection: Connection | None, **kwargs: Any):
        self.connection = connection
        if connection is not None and not kwargs.get("data") and not args:
            kwargs["initial"] = {
                "issuer": connection.issuer,
                "client_id": connection.client_id,
                "scopes": connection.scopes,
                "default_role": connection.default_role_id,
                "require_sso": connection.require_sso,
                "auto_join": connection.auto_join,
                "join_requests": connection.join_requests,
            }
        super().__init__(*args, **kwargs)
        roles = Role.objects.for_tenant(tenant).exclude(key=Role.Key.OWNER).order_by("name")
        role_field = self.fields["default_role"]
        assert isinstance(role_field, forms.ModelChoiceField)
        role_field.queryset = roles
        if "default_role" not in self.initial:
            self.initial["default_role"] = roles.filter(key=Role.Key.MEMBER).first()
        if connection is not None:
            self.fields[
                "client_secret"
            ].help_text = (
                "Stored encrypted and never shown again. Leave empty to keep the current one."
            )
        else:
            self.fields["client_secret"].required = True
            self.fields["client_secret"].help_text = "Stored encrypted and never shown again."
