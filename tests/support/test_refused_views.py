"""While support views the app as someone, nothing that outlives the view can be made or
handed out: an attack made a SCIM token, an Owner invitation to its own address and a
webhook pointed at its own host, then stopped viewing and kept them all. Every view of
the project is placed on one side: refused (a pattern of
SUPPORT_IMPERSONATION_REFUSED_VIEWS, or behind @reauth_required, which cannot be
confirmed by staff), or allowed below with the reason, so a new view fails here until
someone decides."""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any

import pytest
from django.conf import settings
from django.urls import URLResolver, get_resolver, reverse

from scim.models import Directory
from tenants.models import Invitation, Membership, Role
from tests.accounts.factories import staff_with
from tests.tenants.factories import add_member
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db

NOT_WHILE = "Not while viewing as someone"

# Allowed while viewing as someone, by pattern, with the reason.
ALLOWED = {
    # Not reached with the staff session as the person: no session, or another check.
    "admin:*": "the admin checks request.user, which is the person while viewing",
    "api-v1:*": "a bearer key authenticates, never a session",
    "api-docs": "a public reference",
    "scim-api:*": "the directory's bearer token authenticates, never a session",
    "stripe:webhook": "Stripe's signature authenticates",
    "webhooks-docs:reference": "a public reference",
    "healthz": "a probe",
    "readyz": "a probe",
    "home": "the public home page",
    "set_language": "the language of the pages shown",
    "support:stop": "ends the view",
    # Pages for signed-out people: a signed-in session is sent on, or they change
    # nothing of the person's that support could keep (a reset link goes to their inbox).
    "accounts:sign-in*": "signed-out pages",
    "accounts:sign-up*": "signed-out pages",
    "accounts:signed-out": "signed-out pages",
    "accounts:passkey-options": "signed-out pages",
    "accounts:passkey-sign-in": "signed-out pages",
    "accounts:password-forgot*": "the link goes to the person's inbox",
    "accounts:password-reset": "needs the link from the person's inbox",
    "accounts:verify-*": "the link goes to the person's inbox",
    # What the person sees, and ordinary changes made for them (audited as both).
    "accounts:locale": "language and time zone",
    "accounts:profile": "name",
    "avatar:*": "their picture",
    "mfa:security": "the security page, read only",
    "sessions:list": "the devices page, read only",
    "workspaces:app": "their workspaces",
    "workspaces:list": "their workspaces",
    "workspaces:create": "a new organisation is the person's, billed as they choose",
    "tenant:audit*": "reading the log",
    "tenant:dashboard": "reading",
    "tenant:checklist-dismiss": "the getting-started list",
    "tenant:members": "reading",
    "tenant:member-billing": "who gets billing mail",
    "tenant:member-primary": "the primary contact",
    "tenant:member-remove": "removing someone takes access away, never gives it",
    "tenant:leave": "leaving takes access away",
    "tenant:invite-cancel": "takes an invitation away",
    "tenant:invite-resend": "to the address the person chose",
    "tenant:owner-candidates": "reading",
    "tenant:roles": "reading",
    "tenant:settings": "reading",
    "tenant:rename": "the name",
    "tenant:slug": "the address (old links redirect)",
    "tenant:team*": "teams carry no permissions",
    "tenant:two-factor-required": "the page saying to set it up",
    "files:*": "files, as the person may",
    "uploads:serve": "files, as the person may",
    "billing:overview": "reading",
    "billing:success": "the page after checkout, which is refused",
    "billing:cancel": "the page after a cancelled checkout",
    "billing:local-portal": "reading (its actions are refused)",
    "api-keys:list": "reading",
    "scim:settings": "reading",
    "sso_settings:connection": "reading",
    "sso_settings:domains": "reading",
    "webhooks:list": "reading",
    "webhooks:detail": "reading",
    "webhooks:delivery": "reading",
    "webhooks:test": "a test event to the endpoint the organisation chose",
    "webhooks:resend": "a delivery again, to the endpoint the organisation chose",
    "webhooks:pause": "stops sending",
    "webhooks:resume": "sends again to the endpoint the organisation chose",
    "webhooks:enable": "sends again to the endpoint the organisation chose",
}


def _views(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(
                pattern, prefix + (f"{pattern.namespace}:" if pattern.namespace else "")
            )
        elif pattern.name:
            yield prefix + pattern.name, pattern.callback


def _matches(name: str, patterns: Any) -> bool:
    return any(fnmatchcase(name, pattern) for pattern in patterns)


def test_every_view_is_refused_or_allowed_for_a_stated_reason() -> None:
    refused = settings.SUPPORT_IMPERSONATION_REFUSED_VIEWS
    unplaced, both = [], []
    for name, view in sorted(set(_views())):
        is_refused = _matches(name, refused) or getattr(view, "reauth_required", False)
        is_allowed = _matches(name, ALLOWED)
        if not is_refused and not is_allowed:
            unplaced.append(name)
        if is_refused and is_allowed and not name.startswith("admin:"):
            both.append(name)
    assert unplaced == [], "place each in SUPPORT_IMPERSONATION_REFUSED_VIEWS or ALLOWED"
    assert both == []


@pytest.fixture
def viewing_as(client: Any, owner: Any, settings: Any) -> Any:
    settings.MFA_ADMIN_REQUIRED = False
    staff = staff_with("support.impersonate", "accounts.view_user", email="sam@pacetrack.test")
    client.force_login(staff)  # signed in just now: a recent authentication, the staff's
    started = client.post(
        f"/admin/accounts/user/{owner.pk}/view-as/", {"reason": "Ticket 1234: members page"}
    )
    assert started.status_code == 302
    return client


def _refused(response: Any) -> None:
    assert response.status_code == 403
    assert NOT_WHILE in response.content.decode()


def test_no_scim_token_is_made(viewing_as: Any, acme: Any) -> None:
    _refused(viewing_as.post(reverse("scim:token-rotate", args=[acme.slug])))

    assert not Directory.objects.filter(tenant=acme).exists()


def test_no_invitation_is_sent_and_no_role_given(viewing_as: Any, acme: Any) -> None:
    owner_role = Role.objects.get(tenant=acme, key="owner")
    member = add_member(acme)

    _refused(
        viewing_as.post(
            reverse("tenant:invite-create", args=[acme.slug]),
            {"email": "staff-alt@example.org", "role": owner_role.pk},
        )
    )
    _refused(
        viewing_as.post(
            reverse("tenant:member-role", args=[acme.slug, member.pk]), {"role": owner_role.pk}
        )
    )
    _refused(
        viewing_as.post(
            reverse("tenant:role-create", args=[acme.slug]),
            {"name": "Everything", "permissions": ["members.manage"]},
        )
    )

    assert not Invitation.objects.filter(tenant=acme).exists()
    assert Membership.objects.get(pk=member.pk).role.key == "member"
    assert not Role.objects.filter(tenant=acme, name="Everything").exists()


def test_no_webhook_is_pointed_elsewhere(viewing_as: Any, acme: Any) -> None:
    endpoint = Endpoint.objects.create(
        tenant=acme, url="https://hooks.example.com/crm", event_types=["member.added"], secret="x"
    )

    _refused(
        viewing_as.post(
            reverse("webhooks:edit", args=[acme.slug, endpoint.pk]),
            {"url": "https://93.184.215.99/staff-exfil", "event_types": ["member.added"]},
        )
    )

    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.com/crm"


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("sso_settings:connection-save", ["slug"]),
        ("sso_settings:domain-add", ["slug"]),
        ("sso:social-connect", ["google"]),
        ("accounts:reauth", []),
        ("mfa:trusted-browsers-forget-all", []),
    ],
)
def test_sign_in_settings_and_confirming_its_you_are_refused(
    viewing_as: Any, acme: Any, name: str, args: list[str]
) -> None:
    path = reverse(name, args=[acme.slug if a == "slug" else a for a in args])

    _refused(viewing_as.post(path, {"password": "x"}))


def test_an_action_behind_a_recent_authentication_is_refused_though_staff_just_signed_in(
    viewing_as: Any, acme: Any, settings: Any
) -> None:
    """@reauth_required read the staff member's fresh sign-in as the person's: a view
    behind it is refused even when the list of refused views forgets it."""
    settings.SUPPORT_IMPERSONATION_REFUSED_VIEWS = [
        name
        for name in settings.SUPPORT_IMPERSONATION_REFUSED_VIEWS
        if name not in {"api-keys:create", "scim:token-rotate"}
    ]

    _refused(viewing_as.post(reverse("api-keys:create", args=[acme.slug]), {"name": "K"}))
    _refused(viewing_as.post(reverse("scim:token-rotate", args=[acme.slug])))
    assert not Directory.objects.filter(tenant=acme).exists()


def test_reading_the_pages_still_works(viewing_as: Any, acme: Any) -> None:
    for name in ("scim:settings", "webhooks:list", "api-keys:list", "sso_settings:domains"):
        assert viewing_as.get(reverse(name, args=[acme.slug])).status_code == 200, name
