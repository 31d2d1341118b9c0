"""The email-first SSO entry, the domain form and the connection form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import widgets
from core.errors import ServiceForm
from core.exceptions import refusal_message
from core.file_limits import file_size_limit, size_in_megabytes
from sso.exceptions import IssuerRefused, MetadataRefused
from sso.models import Connection
from sso.protocol import issuer_check
from tenants.forms import RoleChoiceField
from tenants.models import Role, Tenant

INPUT = {"class": "input"}
# Identifiers, addresses and XML: left to right on a right-to-left page too.
TECHNICAL = {"dir": "ltr"}


class SsoEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Work email"),
        max_length=254,
        widget=forms.EmailInput(INPUT | {"autocomplete": "email", "autofocus": True}),
        error_messages={"required": _("Enter your work email.")},
    )


class DomainForm(forms.Form):
    domain = forms.CharField(
        label=_("Domain"),
        max_length=253,
        widget=forms.TextInput(
            INPUT | TECHNICAL | {"placeholder": "example.com", "autocomplete": "off"}
        ),
        error_messages={"required": _("Enter a domain, such as example.com.")},
    )


class SamlConnectionForm(ServiceForm):
    """The SAML half of the connection page (the policy fields as in ConnectionForm)."""

    refusal_fields = {MetadataRefused: "idp_metadata_file"}

    idp_metadata_file = forms.FileField(
        label=_("IdP metadata XML file"),
        required=False,
        widget=forms.ClearableFileInput(INPUT | {"accept": ".xml,application/xml,text/xml"}),
        help_text=_(
            "Downloaded from your identity provider (Okta: “Identity Provider "
            "metadata”; Entra ID: “Federation Metadata XML”)."
        ),
    )
    idp_metadata = forms.CharField(
        label=_("…or paste the metadata XML"),
        required=False,
        max_length=settings.SSO_METADATA_MAX_BYTES,
        widget=forms.Textarea(INPUT | TECHNICAL | {"rows": 4, "spellcheck": "false"}),
    )
    idp_metadata_url = forms.CharField(
        label=_("…or its metadata URL"),
        required=False,
        max_length=500,
        help_text=_(
            "Read now and checked like an upload, then again every day (an IdP publishes a "
            "new certificate there before it signs with it) and whenever you press "
            "“Refresh metadata”. https only."
        ),
        widget=forms.URLInput(
            INPUT | {"autocomplete": "off", "dir": "ltr", "placeholder": "https://"}
        ),
    )
    attr_email = forms.CharField(
        label=_("Email attribute"),
        max_length=255,
        required=False,
        initial="email",
        help_text=_("Empty: the NameID is the email address."),
        widget=forms.TextInput(INPUT | TECHNICAL | {"autocomplete": "off"}),
    )
    attr_first_name = forms.CharField(
        label=_("First name attribute"),
        max_length=255,
        required=False,
        initial="firstName",
        widget=forms.TextInput(INPUT | TECHNICAL | {"autocomplete": "off"}),
    )
    attr_last_name = forms.CharField(
        label=_("Last name attribute"),
        max_length=255,
        required=False,
        initial="lastName",
        widget=forms.TextInput(INPUT | TECHNICAL | {"autocomplete": "off"}),
    )
    attr_groups = forms.CharField(
        label=_("Groups attribute"),
        max_length=255,
        required=False,
        initial="groups",
        widget=forms.TextInput(INPUT | TECHNICAL | {"autocomplete": "off"}),
    )
    allow_idp_initiated = forms.BooleanField(
        label=_("Allow sign-in started at the identity provider (IdP-initiated)"),
        help_text=_(
            "Off: only sign-ins started from Pacetrack are accepted. On: each "
            "assertion is still accepted once only."
        ),
        required=False,
    )

    def __init__(self, *args: Any, tenant: Tenant, connection: Connection | None, **kwargs: Any):
        if connection is not None and connection.is_saml and not kwargs.get("data") and not args:
            kwargs["initial"] = {
                "idp_metadata_url": connection.saml_idp_metadata_url,
                "attr_email": connection.saml_attr_email,
                "attr_first_name": connection.saml_attr_first_name,
                "attr_last_name": connection.saml_attr_last_name,
                "attr_groups": connection.saml_attr_groups,
                "allow_idp_initiated": connection.saml_allow_idp_initiated,
                "default_role": connection.default_role_id,
                "require_sso": connection.require_sso,
                "auto_join": connection.auto_join,
                "join_requests": connection.join_requests,
                "sync_teams_from_groups": connection.sync_teams_from_groups,
            }
        kwargs.setdefault("auto_id", "saml_%s")  # the OIDC form is on the same page
        super().__init__(*args, **kwargs)
        # One limit for the metadata, however it comes: uploaded, pasted or fetched.
        metadata_file = self.fields["idp_metadata_file"]
        limit = settings.SSO_METADATA_MAX_BYTES
        metadata_file.help_text = "{} {}".format(
            metadata_file.help_text, gettext("Up to %(size)s.") % {"size": size_in_megabytes(limit)}
        )
        file_size_limit(metadata_file, limit)
        policy = ConnectionForm(tenant=tenant, connection=connection)
        for name in (
            "default_role",
            "require_sso",
            "auto_join",
            "join_requests",
            "sync_teams_from_groups",
        ):
            self.fields[name] = policy.fields[name]
            self.initial.setdefault(name, policy.initial.get(name))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("idp_metadata_file")
        if upload is not None:
            if upload.size > settings.SSO_METADATA_MAX_BYTES:
                raise forms.ValidationError(_("The metadata file is too large."))
            try:
                data["idp_metadata"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                raise forms.ValidationError(_("The metadata file is not UTF-8 XML.")) from None
        return data


class ConnectionForm(ServiceForm):
    refusal_fields = {IssuerRefused: "issuer"}

    issuer = forms.CharField(
        label=_("Issuer URL"),
        max_length=500,
        help_text=_(
            "Your identity provider's address; its /.well-known/openid-configuration "
            "is read from there (e.g. https://acme.okta.com)."
        ),
        widget=forms.URLInput(
            INPUT | {"autocomplete": "off", "dir": "ltr", "placeholder": "https://"}
        ),
        error_messages={
            "required": _(
                "Enter your identity provider's issuer URL, such as https://acme.okta.com."
            )
        },
    )
    client_id = forms.CharField(
        label=_("Client ID"),
        max_length=255,
        widget=forms.TextInput(INPUT | TECHNICAL | {"autocomplete": "off"}),
        error_messages={
            "required": _("Enter the client ID your identity provider shows for this app.")
        },
    )
    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=500,
        required=False,
        strip=True,
        # Typed back after another field's error (never a stored secret: the form's
        # initial values leave it out), so one mistake does not cost retyping it.
        widget=forms.PasswordInput(
            INPUT | TECHNICAL | {"autocomplete": "new-password"}, render_value=True
        ),
        error_messages={
            "required": _("Enter the client secret your identity provider shows for this app.")
        },
    )
    scopes = forms.CharField(
        label=_("Scopes"),
        max_length=255,
        initial="openid email profile",
        widget=forms.TextInput(INPUT | TECHNICAL | {"autocomplete": "off"}),
        error_messages={
            "required": _("Enter the scopes to ask for, such as openid email profile.")
        },
    )
    default_role = RoleChoiceField(
        queryset=Role.objects.none(),
        empty_label=None,  # required, with Member chosen: no "---------" to pick
        label=_("Role of new members"),
        help_text=_("Given to people who join through SSO or auto-join."),
        widget=widgets.Select(INPUT),
        error_messages={"required": _("Choose the role new members get.")},
    )
    require_sso = forms.BooleanField(
        label=_("Require SSO for members with a verified-domain address"),
        help_text=_(
            "Their password and Google/Microsoft/GitHub sign-in are refused. Owners "
            "keep a password sign-in for emergencies; each use is in the audit log."
        ),
        required=False,
    )
    auto_join = forms.BooleanField(
        label=_("Let anyone with a verified-domain address join"),
        help_text=_("They join with the role above when they sign in, without an invitation."),
        required=False,
    )
    join_requests = forms.BooleanField(
        label=_("…or let them ask to join"),
        help_text=_("Without auto-join: signing in asks to join, and an owner approves below."),
        required=False,
    )
    sync_teams_from_groups = forms.BooleanField(
        label=_("Sync team membership from groups"),
        help_text=_(
            "At each sign-in, members join the existing teams named like the groups the "
            "identity provider sends (case-insensitive), and leave the ones this sync "
            "added when the group is gone. Teams are never created; teams added by hand "
            "and teams synced by SCIM are left alone."
        ),
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
                "sync_teams_from_groups": connection.sync_teams_from_groups,
            }
        super().__init__(*args, **kwargs)
        roles = Role.objects.for_tenant(tenant).exclude(key=Role.Key.OWNER).order_by("name")
        role_field = self.fields["default_role"]
        assert isinstance(role_field, forms.ModelChoiceField)
        role_field.queryset = roles
        if "default_role" not in self.initial:
            self.initial["default_role"] = roles.filter(key=Role.Key.MEMBER).first()
        if connection is not None:
            self.fields["client_secret"].help_text = _(
                "Stored encrypted and never shown again. Leave empty to keep the current one."
            )
        else:
            self.fields["client_secret"].required = True
            self.fields["client_secret"].help_text = _("Stored encrypted and never shown again.")

    def clean_issuer(self) -> str:
        """Not https: said with the other fields' errors, before discovery is tried."""
        try:
            return issuer_check(self.cleaned_data["issuer"])
        except IssuerRefused as refusal:
            raise forms.ValidationError(refusal_message(refusal)) from None
