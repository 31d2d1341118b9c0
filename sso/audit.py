"""The audit actions of social sign-in and organisation SSO (registered in sso/apps.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
