"""Verified domains: a TXT record looked up through a real DNS server on loopback."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from sso.models import Domain
from sso.services_domains import domain_add, domain_verify, domains_recheck
from tenants.services import tenant_delete
from tests.accounts.factories import UserFactory
from tests.sso.dns_server import LocalDNS
from tests.tenants.factories import OrgFactory, add_member

pytestmark = pytest.mark.django_db


def url(tenant: Any, name: str, **kwargs: Any) -> str:
    return reverse(f"sso_settings:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


def add(client: Any, tenant: Any, domain: str) -> Any:
    return client.post(url(tenant, "domain-add"), {"domain": domain})


def test_an_owner_adds_a_domain_and_sees_the_record_to_publish(
    owner_client: Any, acme: Any
) -> None:
    response = add(owner_client, acme, "Acme.Example.")

    assert response.status_code == 302
    domain = Domain.objects.get(tenant=acme)
    assert domain.domain == "acme.example" and not domain.is_verified
    page = owner_client.get(url(acme, "domains")).content.decode()
    assert "_pacetrack-challenge.acme.example" in page and domain.token in page
    assert AuditEvent.objects.filter(tenant=acme, action="domain.added").exists()


def test_the_domain_is_verified_when_the_txt_record_holds_the_token(
    owner_client: Any, acme: Any, dns_server: LocalDNS
) -> None:
    add(owner_client, acme, "acme.example")
    domain = Domain.objects.get(tenant=acme)
    dns_server.publish("_pacetrack-challenge.acme.example", "something-else")
    dns_server.publish("_pacetrack-challenge.acme.example", domain.token)

    owner_client.post(url(acme, "domain-verify", domain_id=domain.pk))

    domain.refresh_from_db()
    assert domain.is_verified
    assert AuditEvent.objects.filter(tenant=acme, action="domain.verified").exists()


def test_without_the_record_the_domain_stays_unverified(
    owner_client: Any, acme: Any, dns_server: LocalDNS
) -> None:
    add(owner_client, acme, "acme.example")
    domain = Domain.objects.get(tenant=acme)
    dns_server.publish("_pacetrack-challenge.acme.example", "a-token-from-someone-else")

    response = owner_client.post(url(acme, "domain-verify", domain_id=domain.pk), follow=True)

    # The name isolated left to right: on an Arabic page its underscore stays first.
    assert (
        "No TXT record \u2066_pacetrack-challenge.acme.example\u2069" in response.content.decode()
    )
    domain.refresh_from_db()
    assert not domain.is_verified


def test_a_check_that_found_no_record_says_when_it_looked(
    owner_client: Any, acme: Any, dns_server: LocalDNS
) -> None:
    add(owner_client, acme, "acme.example")
    domain = Domain.objects.get(tenant=acme)

    response = owner_client.post(url(acme, "domain-verify", domain_id=domain.pk), follow=True)

    domain.refresh_from_db()
    assert not domain.is_verified and domain.last_checked_at is not None
    assert "Last checked" in response.content.decode()


def test_a_failed_lookup_is_not_a_check(owner_client: Any, acme: Any, dns_server: LocalDNS) -> None:
    add(owner_client, acme, "acme.example")
    domain = Domain.objects.get(tenant=acme)
    dns_server.zone.servfail = True

    response = owner_client.post(url(acme, "domain-verify", domain_id=domain.pk), follow=True)

    assert "The DNS lookup failed" in response.content.decode()
    domain.refresh_from_db()
    assert domain.last_checked_at is None


def test_a_domain_verified_by_one_organisation_cannot_be_claimed_by_a_second(
    owner_client: Any, acme: Any, dns_server: LocalDNS
) -> None:
    rival_owner = UserFactory()
    rival = OrgFactory(owner=rival_owner, name="Rival")
    client = Client()
    client.force_login(rival_owner)
    add(client, rival, "acme.example")  # claimed first, not verified
    add(owner_client, acme, "acme.example")
    ours = Domain.objects.get(tenant=acme)
    dns_server.publish(ours.record_name, ours.token)
    owner_client.post(url(acme, "domain-verify", domain_id=ours.pk))
    theirs = Domain.objects.get(tenant=rival)
    dns_server.publish(theirs.record_name, theirs.token)  # even with their token published

    verify = client.post(url(rival, "domain-verify", domain_id=theirs.pk), follow=True)
    again = add(client, OrgFactory(owner=rival_owner, name="Rival 2"), "acme.example")

    assert "verified by another organisation" in verify.content.decode()
    theirs.refresh_from_db()
    assert not theirs.is_verified
    assert again.status_code == 400 and "verified by another organisation" in again.content.decode()


@pytest.mark.parametrize("typed", ["not a domain", "localhost", "-bad.example", "*.example.com"])
def test_what_is_not_a_domain_name_is_refused(owner_client: Any, acme: Any, typed: str) -> None:
    response = add(owner_client, acme, typed)

    assert response.status_code == 400
    assert not Domain.objects.exists()


@pytest.mark.parametrize("typed", ["gmail.com", "Outlook.com.", "https://icloud.com/"])
def test_a_public_email_providers_domain_is_refused(
    owner_client: Any, acme: Any, typed: str
) -> None:
    """Anyone can have an address there: claiming it would let an organisation sign in or
    auto-join strangers, and its TXT check could never pass anyway."""
    response = add(owner_client, acme, typed)

    assert response.status_code == 400
    assert "public email provider" in response.content.decode()
    assert not Domain.objects.exists()


def test_only_people_who_may_manage_sso_reach_the_pages(
    client: Any, acme: Any, admin_of_acme: Any, member_of_acme: Any
) -> None:
    for person in (admin_of_acme, member_of_acme):
        client.force_login(person)
        assert client.get(url(acme, "domains")).status_code == 403
        assert client.get(url(acme, "connection")).status_code == 403
        assert add(client, acme, "acme.example").status_code == 403
    assert not Domain.objects.exists()


def test_a_personal_workspace_has_no_domains(auth_client: Any, user: Any) -> None:
    assert auth_client.get(url(user.personal_tenant, "domains")).status_code == 404


def test_the_daily_recheck_drops_a_domain_whose_record_is_gone(
    owner_client: Any, acme: Any, dns_server: LocalDNS
) -> None:
    add(owner_client, acme, "acme.example")
    add(owner_client, acme, "kept.example")
    for domain in Domain.objects.all():
        dns_server.publish(domain.record_name, domain.token)
        owner_client.post(url(acme, "domain-verify", domain_id=domain.pk))
    dns_server.withdraw("_pacetrack-challenge.acme.example")

    call_command("sso_domains_recheck")

    assert not Domain.objects.get(domain="acme.example").is_verified
    assert Domain.objects.get(domain="kept.example").is_verified
    lost = AuditEvent.objects.get(tenant=acme, action="domain.lost")
    assert lost.before == {"domain": "acme.example"}


def test_the_owners_are_told_when_a_domain_loses_its_verification(
    owner_client: Any,
    acme: Any,
    owner: Any,
    dns_server: LocalDNS,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """SSO stops for its addresses at once; only an owner can publish the record again."""
    add_member(acme, role_key="admin")  # not an owner: not told
    add(owner_client, acme, "acme.example")
    domain = Domain.objects.get()
    dns_server.publish(domain.record_name, domain.token)
    owner_client.post(url(acme, "domain-verify", domain_id=domain.pk))
    dns_server.withdraw(domain.record_name)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("sso_domains_recheck")
        call_command("sso_domains_recheck")  # the next day: already unverified, no email

    [notice] = mailoutbox
    assert notice.to == [owner.email]
    assert notice.subject == "acme.example is no longer verified for Acme"
    assert "_pacetrack-challenge.acme.example" in notice.body
    assert "cannot sign in with single sign-on" in " ".join(notice.body.split())
    assert f"/t/{acme.slug}/settings/domains/" in notice.body


def test_a_failing_dns_server_does_not_unverify_anything(
    owner_client: Any, acme: Any, dns_server: LocalDNS
) -> None:
    add(owner_client, acme, "acme.example")
    domain = Domain.objects.get()
    dns_server.publish(domain.record_name, domain.token)
    owner_client.post(url(acme, "domain-verify", domain_id=domain.pk))
    dns_server.zone.servfail = True

    call_command("sso_domains_recheck")

    domain.refresh_from_db()
    assert domain.is_verified
    assert not AuditEvent.objects.filter(action="domain.lost").exists()


def test_removing_a_domain_is_audited(owner_client: Any, acme: Any) -> None:
    add(owner_client, acme, "acme.example")
    domain = Domain.objects.get()

    owner_client.post(url(acme, "domain-remove", domain_id=domain.pk))

    assert not Domain.objects.exists()
    assert AuditEvent.objects.filter(tenant=acme, action="domain.removed").exists()


def test_deleting_an_organisation_releases_its_domains_for_another_to_verify(
    acme: Any, owner: Any, dns_server: LocalDNS, django_capture_on_commit_callbacks: Any
) -> None:
    """Attack found: a deleted organisation kept acme.example verified for good, so the
    same company starting again (or the real owner, after a former admin verified it in
    a side organisation and deleted that) could never verify it; nobody could reach the
    deleted organisation's pages to remove it."""
    ours = domain_add(tenant=acme, domain="acme.example", acting_user=owner)
    dns_server.publish(ours.record_name, ours.token)
    domain_verify(tenant=acme, domain=ours, acting_user=owner)
    with django_capture_on_commit_callbacks(execute=True):
        tenant_delete(tenant=acme, acting_user=owner)
    again = OrgFactory(owner=owner, name="Acme again")

    theirs = domain_add(tenant=again, domain="acme.example", acting_user=owner)
    dns_server.publish(theirs.record_name, theirs.token)
    domain_verify(tenant=again, domain=theirs, acting_user=owner)

    assert theirs.is_verified
    ours.refresh_from_db()
    assert not ours.is_verified  # kept, for a restore by staff to verify again
    lost = AuditEvent.objects.get(tenant=acme, action="domain.lost")
    assert lost.before == {"domain": "acme.example"} and lost.actor is None


def test_the_daily_recheck_leaves_a_deleted_organisations_domains_alone(
    acme: Any, owner: Any, dns_server: LocalDNS
) -> None:
    """A row left from before deletions released them is not re-checked (nor kept
    verified by its record); the migration removes such rows."""
    ours = domain_add(tenant=acme, domain="acme.example", acting_user=owner)
    dns_server.publish(ours.record_name, ours.token)
    domain_verify(tenant=acme, domain=ours, acting_user=owner)
    type(acme).objects.filter(pk=acme.pk).update(deleted_at=timezone.now())

    assert domains_recheck() == (0, 0)
