"""The SSO page says until when the SAML IdP's signing certificate is valid, and warns
the owner a month before it ends and after: the IdP then moves to a new certificate,
and responses signed with one the stored metadata does not list are refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from cryptography import x509
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.dateformat import format as date_format

from sso.jobs import saml_metadata_refresh as saml_metadata_job
from sso.models import Connection
from sso.saml import idp_certificate_valid_until
from sso.services_saml import saml_connection_save
from sso.services_saml_certificate import saml_certificates_check
from tenants.models import Role
from tests.sso.saml_idp import LocalSamlIdP
from tests.tenants.factories import add_member

pytestmark = [pytest.mark.xmlsec1, pytest.mark.django_db]


@pytest.fixture(scope="module")
def idp() -> LocalSamlIdP:
    return LocalSamlIdP()  # an RSA key of its own: made once for these tests


def saml_connect(tenant: Any, owner: Any, idp: LocalSamlIdP) -> Connection:
    """The organisation's SAML connection to `idp`, its metadata uploaded."""
    return saml_connection_save(
        tenant=tenant,
        acting_user=owner,
        idp_metadata=idp.metadata,
        default_role=Role.objects.get(tenant=tenant, key="member"),
        require_sso=False,
        auto_join=False,
    )


def certificate_end(idp: LocalSamlIdP) -> Any:
    with open(idp.cert_file, "rb") as handle:
        return x509.load_pem_x509_certificate(handle.read()).not_valid_after_utc


@pytest.fixture
def connection(acme: Any, owner: Any, idp: LocalSamlIdP) -> Connection:
    return saml_connect(acme, owner, idp)


def _page(client: Any, acme: Any) -> str:
    url = reverse("sso_settings:connection", kwargs={"tenant_slug": acme.slug})
    return client.get(url).content.decode()


def _page_on(day: Any, owner: Any, acme: Any) -> str:
    """The SSO page as the owner reads it on `day`."""
    with time_machine.travel(day, tick=False):
        client = Client()
        client.force_login(owner)
        return _page(client, acme)


def test_the_metadatas_signing_certificate_is_read(idp: LocalSamlIdP) -> None:
    assert idp_certificate_valid_until(idp.metadata) == certificate_end(idp)


def test_keys_for_encryption_only_and_unreadable_metadata_give_no_date(
    idp: LocalSamlIdP,
) -> None:
    assert 'use="signing"' in idp.metadata
    encryption_only = idp.metadata.replace('use="signing"', 'use="encryption"')
    assert idp_certificate_valid_until(encryption_only) is None
    assert idp_certificate_valid_until("<not xml") is None
    assert idp_certificate_valid_until("<EntityDescriptor/>") is None


def test_the_page_says_until_when_and_stays_calm_while_it_is_far(
    owner_client: Any, acme: Any, connection: Connection, idp: LocalSamlIdP
) -> None:
    html = _page(owner_client, acme)
    assert f"Valid until {certificate_end(idp):%B %-d, %Y}" in html
    assert 'data-testid="saml-certificate-ending"' not in html


def test_a_month_before_it_ends_the_owner_is_told_to_upload_new_metadata(
    owner: Any, acme: Any, connection: Connection, idp: LocalSamlIdP
) -> None:
    end = certificate_end(idp)
    html = _page_on(end - timedelta(days=10), owner, acme)
    assert "signing certificate ends soon." in html
    assert f"It is valid until {end:%B %-d, %Y}. When your identity provider moves" in html


def test_past_its_end_the_page_says_it_expired(
    owner: Any, acme: Any, connection: Connection, idp: LocalSamlIdP
) -> None:
    end = certificate_end(idp)
    html = _page_on(end + timedelta(days=1), owner, acme)
    assert "signing certificate has expired." in html
    assert f"It expired on {end:%B %-d, %Y}. If members cannot sign in" in html


def test_with_a_metadata_url_the_page_says_the_new_certificate_is_read_daily(
    owner: Any, acme: Any, connection: Connection, idp: LocalSamlIdP
) -> None:
    Connection.objects.filter(pk=connection.pk).update(
        saml_idp_metadata_url="https://idp.example.com/metadata"
    )
    html = _page_on(certificate_end(idp) - timedelta(days=10), owner, acme)
    assert "The metadata URL is read every day, so its new certificate is taken" in html


def test_the_warning_is_in_the_owners_language(
    owner: Any, acme: Any, connection: Connection, idp: LocalSamlIdP
) -> None:
    type(owner).objects.filter(pk=owner.pk).update(language="de")
    html = _page_on(certificate_end(idp) - timedelta(days=10), owner, acme)
    assert "Das Signaturzertifikat des Identitätsanbieters läuft bald ab." in html
    assert "ends soon" not in html and "Valid until" not in html


# --- The owners are emailed a month, then a week before (the daily sso_saml_metadata job) ---


def _daily(django_capture_on_commit_callbacks: Any) -> str:
    """The job as the scheduler runs it, its emails sent."""
    with django_capture_on_commit_callbacks(execute=True):
        return saml_metadata_job()


def test_a_month_and_a_week_before_the_end_the_owners_are_emailed(
    acme: Any,
    owner: Any,
    connection: Connection,
    idp: LocalSamlIdP,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    co_owner = add_member(acme, role_key="owner").user
    add_member(acme, role_key="admin")  # not an owner: not told
    end = certificate_end(idp)

    with time_machine.travel(end - timedelta(days=31)):
        assert "Told the owners of 0 organisation(s)" in _daily(django_capture_on_commit_callbacks)
    assert mailoutbox == []
    with time_machine.travel(end - timedelta(days=29)):
        report = _daily(django_capture_on_commit_callbacks)
    assert "Told the owners of 1 organisation(s)" in report
    assert f"Acme (#{acme.pk}): certificate ends {end:%Y-%m-%d}" in report
    [notice] = mailoutbox
    assert sorted(notice.to) == sorted([owner.email, co_owner.email])
    assert notice.subject == (
        f"Single sign-on of Acme: the identity provider's certificate ends on {end:%B %-d, %Y}"
    )
    assert "upload its new metadata in\nthe single sign-on settings" in notice.body
    assert f"/t/{acme.slug}/settings/sso/" in notice.body

    with time_machine.travel(end - timedelta(days=20)):  # the days after: not again
        assert "Told the owners of 0 organisation(s)" in _daily(django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    assert "a month before it ends and again a week before." in notice.body

    with time_machine.travel(end - timedelta(days=6)):  # its last week: once more
        assert "Told the owners of 1 organisation(s)" in _daily(django_capture_on_commit_callbacks)
    with time_machine.travel(end - timedelta(days=3)):  # then not again
        assert "Told the owners of 0 organisation(s)" in _daily(django_capture_on_commit_callbacks)
    with time_machine.travel(end + timedelta(days=3)):  # nor once it has ended
        _daily(django_capture_on_commit_callbacks)
    assert [m.subject for m in mailoutbox] == [notice.subject] * 2


def test_new_metadata_with_a_new_certificate_ends_the_warning(
    acme: Any,
    owner: Any,
    connection: Connection,
    idp: LocalSamlIdP,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    end = certificate_end(idp)
    with time_machine.travel(end - timedelta(days=10)):
        saml_connect(acme, owner, LocalSamlIdP())  # its certificate: ten years ahead
        _daily(django_capture_on_commit_callbacks)
    html = _page_on(end - timedelta(days=10), owner, acme)
    assert mailoutbox == []
    assert 'data-testid="saml-certificate-ending"' not in html


def test_metadata_with_a_new_certificate_between_the_emails_stops_the_second(
    acme: Any,
    owner: Any,
    connection: Connection,
    idp: LocalSamlIdP,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    end = certificate_end(idp)
    with time_machine.travel(end - timedelta(days=29)):
        _daily(django_capture_on_commit_callbacks)
        saml_connect(acme, owner, LocalSamlIdP())  # the owner acted on it
    with time_machine.travel(end - timedelta(days=6)):
        assert "Told the owners of 0 organisation(s)" in _daily(django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1


def test_a_certificate_first_seen_in_its_last_week_is_emailed_about_once(
    acme: Any,
    owner: Any,
    connection: Connection,
    idp: LocalSamlIdP,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    end = certificate_end(idp)
    for days_left in (5, 4, 1):
        with time_machine.travel(end - timedelta(days=days_left)):
            _daily(django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1


def test_an_ended_certificate_is_said_as_ended_in_each_owners_language(
    acme: Any,
    owner: Any,
    connection: Connection,
    idp: LocalSamlIdP,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    german = add_member(acme, role_key="owner").user
    type(german).objects.filter(pk=german.pk).update(language="de")
    Connection.objects.filter(pk=connection.pk).update(
        saml_idp_metadata_url="https://idp.example.com/metadata"
    )
    end = certificate_end(idp)

    # The job's second half (its first would read the URL, which is not served here).
    with (
        time_machine.travel(end + timedelta(days=2)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        saml_certificates_check()

    by_recipient = {tuple(m.to): m for m in mailoutbox}
    english, deutsch = by_recipient[(owner.email,)], by_recipient[(german.email,)]
    assert english.subject.endswith(
        f"the identity provider's certificate ended on {end:%B %-d, %Y}"
    )
    assert "reads your identity provider's metadata every day from" in english.body
    assert "https://idp.example.com/metadata" in english.body
    with translation.override("de"):
        am = date_format(end, "j. F Y")  # "2. Dezember 2036"
    assert deutsch.subject == (
        f"Single Sign-on von Acme: Das Zertifikat des Identitätsanbieters ist am {am} abgelaufen"
    )
    assert "reads your" not in deutsch.body
