"""Refusals of the webhook services."""

from __future__ import annotations

from django.core.exceptions import BadRequest

from core.exceptions import DomainError


class WebhookError(DomainError, BadRequest):
    """The endpoint cannot be saved or changed as asked."""


class UnsafeDestination(WebhookError):
    """The URL leads somewhere we never send requests: a private, loopback, link-local,
    multicast or reserved address (or a name that resolves to one, or to nothing)."""


class AddressRefused(UnsafeDestination):
    """The host is, or now resolves to, an address webhooks never go to: our address
    policy speaking, not the network (a name that does not resolve stays an
    UnsafeDestination). The same rule refuses such a URL when it is saved."""
