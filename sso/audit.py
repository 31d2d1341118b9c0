"""The audit actions of social sign-in and organisation SSO (registered in sso/apps.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sso.models import Connection, SocialIdentity


class SsoAction(models.TextChoices):
    SOCIAL_CONNECTED = "social.connected", _("Sign-in provider connected")
    SOCIAL_DISCONNECTED = "social.disconnected", _("Sign-in provider disconnected")
    SOCIAL_SIGNED_UP = "social.signed_up", _("Signed up with a sign-in provider")
    DOMAIN_ADDED = "domain.added", _("Domain added")
    DOMAIN_VERIFIED = "domain.verified", _("Domain verified")
    DOMAIN_REMOVED = "domain.removed", _("Domain removed")
    DOMAIN_LOST = "domain.lost", _("Domain verification lost")
    CONNECTION_CREATED = "sso.connection_created", _("SSO connection created")
    CONNECTION_CHANGED = "sso.connection_changed", _("SSO connection changed")
    CONNECTION_TESTED = "sso.connection_tested", _("SSO connection tested")
    METADATA_REFRESHED = "sso.metadata_refreshed", _("SAML metadata refreshed from its URL")
    SIGNED_IN = "sso.signed_in", _("Signed in with SSO")
    PROVISIONED = "sso.provisioned", _("Member provisioned by SSO")
    AUTO_JOINED = "sso.auto_joined", _("Joined through a verified domain")
    JOIN_REQUESTED = "sso.join_requested", _("Asked to join through a verified domain")
    JOIN_APPROVED = "sso.join_approved", _("Request to join approved")
    JOIN_DECLINED = "sso.join_declined", _("Request to join declined")
    BREAK_GLASS = "sso.break_glass", _("Password sign-in despite required SSO (owner)")


class IdpMetadata(models.TextChoices):
    """Where a SAML connection's metadata came from, or what a refresh found (the
    `idp_metadata` key)."""

    UPLOADED = "uploaded", pgettext_lazy("SAML metadata", "Uploaded")
    FETCHED = "fetched", _("Read from its URL")
    CHANGED = "changed", _("Changed")
    UNCHANGED = "unchanged", _("Unchanged")


class ConfirmedBy(models.TextChoices):
    """How a person proved a provider account was theirs (the `confirmed_by` key)."""

    EMAIL_LINK = "email link", _("A link sent to their email address")


# What the audit log page calls the keys of these events' before/after.
# Where the audit log's action menu lists each (core/audit_actions.py): connecting a
# sign-in provider is a person's own sign-in, not the organisation's single sign-on.
_SSO = _("Single sign-on & directory")
GROUPS = {code: _SSO for code in SsoAction.values} | {
    SsoAction.SOCIAL_CONNECTED: _("Security & sign-in"),
    SsoAction.SOCIAL_DISCONNECTED: _("Security & sign-in"),
    SsoAction.SOCIAL_SIGNED_UP: _("Security & sign-in"),
}

FIELDS = {
    "protocol": _("Protocol"),
    "issuer": _("Issuer"),
    "client_id": _("Client ID"),
    "scopes": _("Scopes"),
    "require_sso": _("Require SSO"),
    "auto_join": _("Auto-join"),
    "join_requests": _("Requests to join"),
    "sync_teams_from_groups": _("Teams from groups"),
    "saml_idp_entity_id": _("IdP entity ID"),
    "saml_idp_metadata_url": _("Metadata URL"),
    "saml_allow_idp_initiated": _("IdP-initiated sign-in"),
    "saml_attr_email": _("Email attribute"),
    "saml_attr_first_name": _("First name attribute"),
    "saml_attr_last_name": _("Last name attribute"),
    "saml_attr_groups": _("Groups attribute"),
    "default_role": _("Role of new members"),
    "idp_metadata": _("IdP metadata"),
    "claims": _("Claims"),
    "confirmed_by": _("Confirmed by"),
    "domain": _("Domain"),
    "verified": _("Verified"),
    "provider": _("Provider"),
    "subject": _("ID at the provider"),
    "email": _("Email"),
    "role": _("Role"),
}

# What the codes under those keys mean.
VALUES = {
    "protocol": Connection.Protocol,
    "provider": SocialIdentity.Provider,
    "confirmed_by": ConfirmedBy,
    "idp_metadata": IdpMetadata,
}
