"""How sso answers the apps below it (connected in SsoConfig.ready())."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.db import DEFAULT_DB_ALIAS, transaction
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.services_lifecycle import iso_or_none
from sso.crypto import client_secret_rotate
from sso.models import Connection, JoinRequest, OrgIdentity, SocialIdentity
from sso.selectors import org_connections_of, social_identity_list, sso_requirement_get
from sso.services_domains import domains_release
from sso.services_org import auto_join_apply, break_glass_record
from sso.social import Provider, social_providers_enabled

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User
    from tenants.models import Tenant


def on_sign_in_check(*, user: User, method: str, **kwargs: Any) -> str | None:
    """accounts.signals.sign_in_check: members of an org requiring SSO sign in there;
    its owners may still use their password (break-glass, audited)."""
    requirement = sso_requirement_get(user=user)
    if requirement is None:
        return None
    connection, membership = requirement
    if method == "password" and membership.role.is_owner:
        break_glass_record(connection=connection, user=user)
        return None
    return _(
        "%(organisation)s signs its members in with single sign-on. Use “Continue with SSO” below."
    ) % {"organisation": connection.tenant.name}


def on_unproven_address_claimed(*, user: User, **kwargs: Any) -> dict[str, int]:
    """accounts.signals.unproven_address_claimed: the providers connected before the
    address was proven were connected by whoever made the account, maybe a stranger
    with their own Google account; they stop signing in to it."""
    return {"providers": SocialIdentity.objects.filter(user=user).delete()[0]}


def on_tenant_deleted(*, tenant: Tenant, **kwargs: Any) -> None:
    """tenants.signals.tenant_deleted: its domains are released for others to verify."""
    with transaction.atomic():
        domains_release(tenant=tenant)


def sign_in_options(*, request: HttpRequest, next_url: str, **kwargs: Any) -> SafeString:
    """accounts.signals.sign_in_page_options: provider buttons and the SSO entry."""
    context = {"providers": social_providers_enabled(), "next": next_url}
    return mark_safe(render_to_string("sso/_sign_in_options.html", context, request=request))  # noqa: S308


def security_section(*, request: HttpRequest, **kwargs: Any) -> SafeString:
    """mfa.signals.security_page_sections: connected accounts, connect and disconnect."""
    user = request.user
    if not user.is_authenticated:
        return SafeString("")
    linked = {link.provider: link for link in social_identity_list(user=user)}
    rows = [
        {"provider": provider, "link": linked.pop(provider.value, None), "enabled": True}
        for provider in social_providers_enabled()
    ]
    # Accounts linked while a provider was on stay listed (and disconnectable) after.
    rows += [
        {"provider": Provider(key), "link": link, "enabled": False} for key, link in linked.items()
    ]
    if not rows:
        return SafeString("")
    context = {"rows": rows}
    return mark_safe(render_to_string("sso/_security_section.html", context, request=request))  # noqa: S308


def reauth_options(*, request: HttpRequest, next_url: str, **kwargs: Any) -> SafeString:
    """accounts.signals.reauth_page_options: confirm with a connected provider or the
    organisation's IdP (the only ways for people without a password)."""
    user = request.user
    if not user.is_authenticated:
        return SafeString("")
    enabled = {p.value for p in social_providers_enabled()}
    providers = [
        Provider(link.provider)
        for link in social_identity_list(user=user)
        if link.provider in enabled
    ]
    connections = org_connections_of(user=user)
    if not providers and not connections:
        return SafeString("")
    context = {"providers": providers, "connections": connections, "next": next_url}
    return mark_safe(render_to_string("sso/_reauth_options.html", context, request=request))  # noqa: S308


def on_signed_in(*, user: User, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """user_logged_in: auto-join (or ask to join) the org that verified the domain."""
    outcome = auto_join_apply(user=user)
    if isinstance(outcome, JoinRequest) and request is not None:
        # Asked for them, not by them, when auto-join met a full organisation.
        full = Connection.objects.filter(tenant=outcome.tenant, auto_join=True).exists()
        messages.info(
            request,
            (
                _(
                    "%(organisation)s has no free seat on its current plan, so an owner will "
                    "decide whether you join."
                )
                if full
                else _("You asked to join %(organisation)s; an owner will decide.")
            )
            % {"organisation": outcome.tenant.name},
        )


def on_account_export_requested(
    sender: Any, user: User, using: str = DEFAULT_DB_ALIAS, **kwargs: Any
) -> dict[str, Any]:
    """The person's linked accounts, the organisations' identity providers that know
    them and their requests to join, for their data export."""
    social = SocialIdentity.objects.using(using).filter(user=user).order_by("provider")
    orgs = (
        OrgIdentity.objects.using(using)
        .filter(user=user)
        .select_related("tenant", "connection")
        .order_by("created_at")
    )
    joins = JoinRequest.objects.using(using).filter(user=user).select_related("tenant")
    return {
        "linked_accounts": [
            {
                "provider": s.provider,
                "email": s.email,
                "subject": s.subject,
                "linked_at": iso_or_none(s.created_at),
                "last_used_at": iso_or_none(s.last_used_at),
            }
            for s in social
        ],
        "organisation_sign_ins": [
            {
                "workspace": o.tenant.name,
                "protocol": o.connection.protocol,
                "subject": o.subject,
                "first_used_at": iso_or_none(o.created_at),
                "last_used_at": iso_or_none(o.last_used_at),
            }
            for o in orgs
        ],
        "join_requests": [
            {
                "workspace": j.tenant.name,
                "asked_at": iso_or_none(j.created_at),
                "decided_at": iso_or_none(j.decided_at),
                "approved": j.approved,
            }
            for j in joins.order_by("created_at")
        ],
    }


def rotate_connection_secrets(**kwargs: Any) -> dict[str, int]:
    """core.signals.encrypted_secrets_rotate: every connection's OIDC client secret and
    SAML signing key under the current SECRET_KEY."""
    count = 0
    with transaction.atomic():
        rows = Connection.objects.select_for_update().only(
            "pk", "client_secret_encrypted", "saml_sp_key_encrypted"
        )
        for connection in rows:
            for field in ("client_secret_encrypted", "saml_sp_key_encrypted"):
                if getattr(connection, field):
                    setattr(connection, field, client_secret_rotate(getattr(connection, field)))
                    count += 1
            connection.save(update_fields=["client_secret_encrypted", "saml_sp_key_encrypted"])
    return {"single sign-on secrets and keys": count}
