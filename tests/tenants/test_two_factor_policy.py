"""Organisations that require two-factor authentication: the owner's switch, the
member's grace period and banner, then only the set-up page of that organisation."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format

from core.models import AuditEvent
from mfa.exceptions import TwoFactorStateError
from mfa.selectors import second_step_required
from mfa.services import totp_remove, two_factor_reset
from mfa.totp import totp_code_at
from tenants.services.two_factor import tenant_two_factor_require
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.mfa.helpers import enable_totp
from tests.tenants.factories import OrgFactory, add_member
from tests.tenants.test_url_crawl import ROUTES, fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(acme: Any, member_of_acme: Any) -> Client:
    client = Client()
    client.force_login(member_of_acme)
    return client


def require(acme: Any, owner: Any, *, days: int = 7) -> None:
    tenant_two_factor_require(tenant=acme, acting_user=owner, grace_days=days)


def after_grace() -> Any:
    return time_machine.travel(timezone.now() + timedelta(days=8))


def test_owners_require_it_from_the_settings_page_and_it_is_audited(
    owner_client: Client, acme: Any, member_of_acme: Any
) -> None:
    page = owner_client.get(f"/t/{acme.slug}/settings/").content.decode()
    assert "Require two-factor authentication" in page
    assert 'data-testid="members-without-two-factor">2 members' in page

    owner_client.post(
        f"/t/{acme.slug}/settings/two-factor/", {"action": "require", "grace_days": "7"}
    )

    acme.refresh_from_db()
    assert acme.two_factor_required_at is not None
    assert acme.two_factor_grace_until - acme.two_factor_required_at == timedelta(days=7)
    event = AuditEvent.objects.get(tenant=acme, action="tenant.2fa_required")
    assert event.after["grace_days"] == 7
    owner_client.post(f"/t/{acme.slug}/settings/two-factor/", {"action": "release"})
    acme.refresh_from_db()
    assert acme.two_factor_required_at is None
    assert AuditEvent.objects.filter(tenant=acme, action="tenant.2fa_optional").exists()


def test_only_owners_change_the_requirement(client: Client, acme: Any, admin_of_acme: Any) -> None:
    client.force_login(admin_of_acme)

    response = client.post(
        f"/t/{acme.slug}/settings/two-factor/", {"action": "require", "grace_days": "7"}
    )

    assert response.status_code == 403
    acme.refresh_from_db()
    assert acme.two_factor_required_at is None


def test_members_see_a_banner_with_the_deadline_during_the_grace_period(
    member: Client, acme: Any, owner: Any, member_of_acme: Any
) -> None:
    other = OrgFactory(name="Other")
    add_member(other, member_of_acme)
    require(acme, owner)

    page = member.get(f"/t/{acme.slug}/").content.decode()

    assert 'data-testid="two-factor-deadline"' in page
    assert "Acme requires two-factor authentication" in page
    assert (
        'data-testid="two-factor-deadline"' not in member.get(f"/t/{other.slug}/").content.decode()
    )


def test_after_the_grace_period_every_page_of_the_org_leads_to_the_set_up_page(
    member: Client, acme: Any, owner: Any, member_of_acme: Any
) -> None:
    require(acme, owner)
    other = OrgFactory(name="Other")
    add_member(other, member_of_acme)
    required = f"/t/{acme.slug}/two-factor-required/"
    samples = {"int": 1, "tenant_id": acme.pk}

    with after_grace():
        member.force_login(member_of_acme)
        for route, pattern in ROUTES:
            url = f"/t/{acme.slug}/" + fill(route, pattern, samples)
            for method in ("get", "post"):
                response = getattr(member, method)(url)
                if url == required:
                    assert response.status_code in (200, 405), url
                else:
                    assert response.status_code == 302, f"{method} {url}"
                    assert response["Location"] == required, f"{method} {url}"
        assert "requires two-factor authentication" in member.get(required).content.decode()
        assert member.get(f"/t/{other.slug}/").status_code == 200  # other orgs unaffected
        assert member.get("/account/security/").status_code == 200  # where to set it up
        htmx = member.post(f"/t/{acme.slug}/members/", HTTP_HX_REQUEST="true")
        assert htmx["HX-Redirect"] == required


def test_setting_it_up_lets_the_member_back_in_and_is_audited(
    member: Client, acme: Any, owner: Any, member_of_acme: Any
) -> None:
    require(acme, owner)
    with after_grace():
        member.force_login(member_of_acme)
        assert member.get(f"/t/{acme.slug}/").status_code == 302
        enable_totp(member_of_acme)

        assert member.get(f"/t/{acme.slug}/").status_code == 200
    event = AuditEvent.objects.get(tenant=acme, action="member.2fa_on")
    assert event.actor == member_of_acme


def test_a_member_signed_in_with_a_second_factor_costs_no_extra_query(
    acme: Any, owner: Any, member_of_acme: Any
) -> None:
    secret, _ = enable_totp(member_of_acme)
    client = Client()
    client.post("/auth/sign-in/", {"email": member_of_acme.email, "password": DEFAULT_PASSWORD})
    client.post("/auth/sign-in/verify/", {"factor": "totp", "code": totp_code_at(secret)})
    url = f"/t/{acme.slug}/members/"
    client.get(url)
    with CaptureQueriesContext(connection) as optional:
        client.get(url)
    require(acme, owner)
    with CaptureQueriesContext(connection) as required:
        assert client.get(url).status_code == 200

    assert len(required) == len(optional)


def test_a_sign_in_on_a_trusted_browser_costs_no_extra_query_either(
    acme: Any, owner: Any, member_of_acme: Any
) -> None:
    """Trusted after a code ("Don't ask again on this browser"), the next sign-in takes
    the password alone: the session says the second step was met, no query asks."""
    secret, _ = enable_totp(member_of_acme)
    trusting = Client()
    trusting.post("/auth/sign-in/", {"email": member_of_acme.email, "password": DEFAULT_PASSWORD})
    trusting.post(
        "/auth/sign-in/verify/", {"factor": "totp", "code": totp_code_at(secret), "trust": "on"}
    )
    client = Client()
    client.cookies = trusting.cookies
    client.cookies.pop(settings.SESSION_COOKIE_NAME)  # signed out; the trust cookie stays
    signed_in = client.post(
        "/auth/sign-in/", {"email": member_of_acme.email, "password": DEFAULT_PASSWORD}
    )
    assert signed_in["Location"] != "/auth/sign-in/verify/"  # no code asked
    url = f"/t/{acme.slug}/members/"
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as optional:
        client.get(url)
    require(acme, owner)
    with CaptureQueriesContext(connection) as required:
        assert client.get(url).status_code == 200

    assert len(required) == len(optional)


def test_removing_every_method_ends_the_second_factor_every_session_proved(
    acme: Any, owner: Any, member_of_acme: Any
) -> None:
    """The hole a walk found: signed in with a code on two devices, the member removed
    their authenticator app (two-factor off), then the organisation required it at once.
    Their sessions still counted the code they had proved and opened every page."""
    secret, _ = enable_totp(member_of_acme)
    laptop, phone = Client(), Client()
    for device in (laptop, phone):
        device.post("/auth/sign-in/", {"email": member_of_acme.email, "password": DEFAULT_PASSWORD})
        with time_machine.travel(timezone.now() + timedelta(seconds=31 * (device is phone))):
            code = totp_code_at(secret)
            device.post("/auth/sign-in/verify/", {"factor": "totp", "code": code})
    assert laptop.get(f"/t/{acme.slug}/").status_code == 200

    removed = phone.post("/account/security/authenticator/remove/")
    assert removed.status_code == 302 and not second_step_required(user=member_of_acme)
    require(acme, owner, days=0)

    required = f"/t/{acme.slug}/two-factor-required/"
    for device in (phone, laptop):
        page = device.get(f"/t/{acme.slug}/members/")
        assert page.status_code == 302 and page["Location"] == required


def test_the_last_method_cannot_be_removed_while_an_org_requires_it(
    acme: Any, owner: Any, member_of_acme: Any
) -> None:
    enable_totp(member_of_acme)
    require(acme, owner)

    with pytest.raises(TwoFactorStateError, match="“Acme” requires two-factor authentication"):
        totp_remove(user=member_of_acme, acting_user=member_of_acme)


def test_the_refusal_is_said_in_the_readers_language_with_every_organisation(
    acme: Any, owner: Any, member_of_acme: Any
) -> None:
    """It was an English f-string on German and Arabic pages, and told people to add
    "another authenticator app" (one person has one)."""
    enable_totp(member_of_acme)
    require(acme, owner)
    globex = OrgFactory(owner=owner, name="Globex")
    add_member(globex, user=member_of_acme)
    require(globex, owner)

    with translation.override("en"), pytest.raises(TwoFactorStateError) as english:
        totp_remove(user=member_of_acme, acting_user=member_of_acme)
    with translation.override("de"), pytest.raises(TwoFactorStateError) as german:
        totp_remove(user=member_of_acme, acting_user=member_of_acme)

    assert str(english.value) == (
        "“Acme”, “Globex” require two-factor authentication: add another way to sign in "
        "(a passkey or an authenticator app) before removing this one."
    )
    assert str(german.value).startswith("„Acme“, „Globex“ verlangen die Zwei-Faktor-")


def test_the_members_page_shows_each_members_status(
    owner_client: Client, acme: Any, owner: Any, member_of_acme: Any
) -> None:
    enable_totp(owner)
    require(acme, owner)

    page = owner_client.get(f"/t/{acme.slug}/members/").content.decode()

    assert page.count("2FA on") == 1
    assert page.count("2FA missing") == 1


def test_an_operator_reset_is_audited_in_the_org(
    acme: Any, owner: Any, member_of_acme: Any
) -> None:
    enable_totp(member_of_acme)
    require(acme, owner)

    two_factor_reset(user=member_of_acme)

    assert AuditEvent.objects.filter(tenant=acme, action="member.2fa_off").exists()


def test_personal_workspaces_cannot_require_it(user: Any) -> None:
    from tenants.exceptions import PersonalTenantError

    with pytest.raises(PersonalTenantError):
        tenant_two_factor_require(tenant=user.personal_tenant, acting_user=user, grace_days=7)


def test_strangers_cannot_reach_the_set_up_page_of_an_org(client: Client, acme: Any) -> None:
    client.force_login(UserFactory())

    assert client.get(f"/t/{acme.slug}/two-factor-required/").status_code == 404


@pytest.mark.parametrize(("days", "said"), [(7, "by {date};"), (3, "by {date} (in 3 days);")])
def test_the_banner_says_the_deadline_once(
    member: Client, acme: Any, owner: Any, days: int, said: str
) -> None:
    """A week away, the words for the deadline are its date: it read "Set it up by
    13 December (13 December)"."""
    require(acme, owner, days=days)
    acme.refresh_from_db()
    date = date_format(timezone.localtime(acme.two_factor_grace_until), "j F")
    page = member.get(f"/t/{acme.slug}/")
    banner = re.sub(
        r"<[^>]+>", "", page.content.decode().split('data-testid="two-factor-deadline"')[1]
    )
    text = " ".join(banner.split())
    assert "Set it up " + said.format(date=date) in text


def test_set_up_started_from_the_organisation_leads_back_to_it(
    member: Client, acme: Any, owner: Any, member_of_acme: Any
) -> None:
    """It ended on the security page, the organisation one search away."""
    from tests.mfa.test_views import shown_secret

    require(acme, owner)
    org = f"/t/{acme.slug}/"
    with after_grace():
        member.force_login(member_of_acme)  # a recent sign-in: set-up asks for none
        required = member.get(f"/t/{acme.slug}/two-factor-required/").content.decode()
        assert f'href="/account/security/?next={org}"' in required
        security = member.get("/account/security/", {"next": org}).content.decode()
        setup_url = f"/account/security/authenticator/?next={org}"
        assert f'href="{setup_url}"' in security
        secret = shown_secret(member.get(setup_url))
        codes = member.post(
            "/account/security/authenticator/", {"code": totp_code_at(secret), "next": org}
        )
        assert f'href="{org}">I\'ve saved them</a>' in codes.content.decode()
        assert member.get(org).status_code == 200


def test_set_up_never_leads_off_the_site(member: Client) -> None:
    """`next` is a way back, not a way out (an open redirect)."""
    from tests.mfa.test_views import shown_secret

    evil = "https://evil.example/phish"
    security = member.get("/account/security/", {"next": evil}).content.decode()
    assert "evil.example" not in security
    secret = shown_secret(member.get("/account/security/authenticator/", {"next": evil}))
    codes = member.post(
        "/account/security/authenticator/", {"code": totp_code_at(secret), "next": evil}
    )
    html = codes.content.decode()
    assert "evil.example" not in html
    assert 'href="/account/security/">I\'ve saved them</a>' in html
