"""The audit actions of social sign-in and organisation SSO (registered in sso/apps.py)."""

from __future__ import annotations

from django.db import models


class SsoAction(models.TextChoices):
    SOCIAL_CONNECTED = "social.connected", "Sign-in provider connected"
    SOCIAL_DISCONNECTED = "social.disconnected", "Sign-in provider disconnected"
    SOCIAL_SIGNED_UP = "social.signed_up", "Signed up with a sign-in provider"
    DOMAIN_ADDED = "domain.added", "Domain added"
    DOMAIN_VERIFIED = "domain.verified", "Domain verified"
    DOMAIN_REMOVED = "domain.removed", "Domain removed"
    DOMAIN_LOST = "domain.lost", "Domain verification lost"
    CONNECTION_CREATED = "sso.connection_created", "SSO connection created"
    CONNECTION_CHANGED = "sso.connection_changed", "SSO connection changed"
    CONNECTION_TESTED = "sso.connection_tested", "SSO connection tested"
    SIGNED_IN = "sso.signed_in", "Signed in with SSO"
    PROVISIONED = "sso.provisioned", "Member provisioned by SSO"
    AUTO_JOINED = "sso.auto_joined", "Joined through a verified domain"
    JOIN_REQUESTED = "sso.join_requested", "Asked to join through a verified domain"
    JOIN_APPROVED = "sso.join_approved", "Request to join approved"
    JOIN_DECLINED = "sso.join_declined", "Request to join declined"
    BREAK_GLASS = "sso.break_glass", "Password sign-in despite required SSO (owner)"
