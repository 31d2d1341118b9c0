"""The owner gives the IdP's metadata URL instead of uploading the XML: Pacetrack reads
it server-side from a real HTTP server on loopback (serving the test IdP's metadata),
checks it like an upload, keeps the XML and the URL, and reads it again on "Refresh
metadata" and every day (the sso_saml_metadata job). Refused: non-XML, too large,
redirects, http and private addresses (after DNS resolution) unless
SSO_METADATA_ALLOW_PRIVATE allows them."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from core.models import AuditEvent
from scheduler.schedule import job_parse
from sso.exceptions import ConnectionRefused
from sso.jobs import MetadataRefreshIncomplete
from sso.jobs import saml_metadata_refresh as saml_metadata_job
from sso.metadata_url import metadata_fetch
from sso.models import Connection
from sso.services_saml import saml_connection_save, saml_metadata_refresh
from tenants.models import Membership, Tenant
from tests.sso.dns_server import LocalDNS
from tests.sso.saml_idp import ENTITY_ID, LocalSamlIdP
from tests.sso.test_saml_settings import page, saml_form
from tests.tenants.factories import OrgFactory, add_member

pytestmark = pytest.mark.django_db


@dataclass
class MetadataServer:
    """Serves `body` at every path (or `status` with a `location` to redirect to)."""

    body: bytes = b""
    status: int = 200
    location: str = ""
    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, host: str = "127.0.0.1", path: str = "/metadata.xml") -> str:
        return f"http://{host}:{self.httpd.server_port}{path}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                server.requests.append(self.path)
                self.send_response(server.status)
                if server.location:
                    self.send_header("Location", server.location)
                self.send_header("Content-Type", "application/samlmetadata+xml")
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def idp() -> LocalSamlIdP:
    return LocalSamlIdP()


@pytest.fixture
def served(idp: LocalSamlIdP) -> Iterator[MetadataServer]:
    server = MetadataServer(body=idp.metadata.encode())
    yield server
    server.stop()


@pytest.fixture
def loopback_allowed(settings: Any) -> None:
    """Tests serve the metadata over http on loopback, which production refuses."""
    settings.SSO_METADATA_ALLOW_PRIVATE = True


def save(acme: Any, owner: Any, url: str) -> Connection:
    from tenants.models import Role

    return saml_connection_save(
        tenant=acme,
        acting_user=owner,
        idp_metadata="",
        idp_metadata_url=url,
        default_role=Role.objects.get(tenant=acme, key="member"),
        require_sso=False,
        auto_join=False,
    )


@pytest.mark.xmlsec1
def test_an_owner_connects_with_the_metadata_url_and_it_is_read_and_kept(
    owner_client: Any, acme: Any, served: MetadataServer, loopback_allowed: None
) -> None:
    response = owner_client.post(
        page(acme, "connection-saml-save"), saml_form(acme, idp_metadata_url=served.url())
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    connection = Connection.objects.get(tenant=acme)
    assert connection.is_saml and connection.saml_idp_entity_id == ENTITY_ID
    assert connection.saml_idp_metadata_url == served.url()
    assert connection.saml_idp_metadata == served.body.decode()
    assert connection.saml_idp_metadata_fetched_at is not None
    assert served.requests == ["/metadata.xml"]
    event = AuditEvent.objects.get(tenant=acme, action="sso.connection_created")
    assert event.after["idp_metadata"] == "fetched"
    assert event.after["saml_idp_metadata_url"] == served.url()
    html = owner_client.get(page(acme, "connection")).content.decode()
    assert served.url() in html and "Refresh metadata" in html


@pytest.mark.xmlsec1
def test_saving_again_with_the_same_url_does_not_read_it_again(
    acme: Any, owner: Any, served: MetadataServer, loopback_allowed: None
) -> None:
    save(acme, owner, served.url())
    save(acme, owner, served.url())

    assert served.requests == ["/metadata.xml"]


@pytest.mark.xmlsec1
def test_refresh_reads_the_url_again_and_is_audited(
    owner_client: Any,
    acme: Any,
    owner: Any,
    served: MetadataServer,
    loopback_allowed: None,
) -> None:
    """The IdP rolled its signing certificate over: refresh picks up the new metadata."""
    save(acme, owner, served.url())
    rolled_over = LocalSamlIdP().metadata
    served.body = rolled_over.encode()

    response = owner_client.post(page(acme, "connection-saml-refresh"))

    assert response.status_code == 302
    connection = Connection.objects.get(tenant=acme)
    assert connection.saml_idp_metadata == rolled_over
    event = AuditEvent.objects.get(tenant=acme, action="sso.metadata_refreshed")
    assert event.after["idp_metadata"] == "changed"
    assert event.actor == owner


@pytest.mark.xmlsec1
def test_a_failed_refresh_keeps_the_stored_metadata(
    acme: Any, owner: Any, served: MetadataServer, loopback_allowed: None
) -> None:
    before = save(acme, owner, served.url()).saml_idp_metadata
    served.body = b"<html>Sign in to continue</html>"

    with pytest.raises(ConnectionRefused):
        saml_metadata_refresh(tenant=acme, acting_user=owner)

    assert Connection.objects.get(tenant=acme).saml_idp_metadata == before
    assert not AuditEvent.objects.filter(tenant=acme, action="sso.metadata_refreshed").exists()


# --- read again daily (the sso_saml_metadata job) ----------------------------------------


@pytest.mark.xmlsec1
def test_the_daily_job_picks_up_a_new_certificate_and_audits_it(
    acme: Any, owner: Any, served: MetadataServer, loopback_allowed: None
) -> None:
    """The IdP published its next signing certificate: nobody has to press a button."""
    save(acme, owner, served.url())
    rolled_over = LocalSamlIdP().metadata
    served.body = rolled_over.encode()

    outcome = saml_metadata_job()

    assert Connection.objects.get(tenant=acme).saml_idp_metadata == rolled_over
    assert outcome.startswith("Read 1 SAML metadata URL(s): 1 changed, 0 failed")
    event = AuditEvent.objects.get(tenant=acme, action="sso.metadata_refreshed")
    assert event.actor is None and event.after["idp_metadata"] == "changed"


@pytest.mark.xmlsec1
def test_an_unchanged_document_is_read_daily_without_an_audit_line(
    acme: Any, owner: Any, served: MetadataServer, loopback_allowed: None
) -> None:
    first_read = save(acme, owner, served.url()).saml_idp_metadata_fetched_at
    assert first_read is not None

    with time_machine.travel(timezone.now() + timedelta(days=1)):
        outcome = saml_metadata_job()

    assert served.requests == ["/metadata.xml", "/metadata.xml"]
    assert Connection.objects.get(tenant=acme).saml_idp_metadata_fetched_at > first_read
    assert outcome.startswith("Read 1 SAML metadata URL(s): 0 changed, 0 failed")
    assert not AuditEvent.objects.filter(action="sso.metadata_refreshed").exists()


@pytest.mark.xmlsec1
def test_one_idp_failing_keeps_its_metadata_spares_the_others_and_fails_the_run(
    acme: Any,
    owner: Any,
    served: MetadataServer,
    loopback_allowed: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    kept = save(acme, owner, served.url()).saml_idp_metadata
    globex = OrgFactory(owner=owner, name="Globex")
    globex_idp = MetadataServer(body=LocalSamlIdP().metadata.encode())
    save(globex, owner, globex_idp.url())
    served.body = b"<html>Sign in to continue</html>"  # Acme's IdP answers a login page
    rolled_over = LocalSamlIdP().metadata
    globex_idp.body = rolled_over.encode()

    try:
        with (
            caplog.at_level(logging.WARNING, logger="pacetrack.sso"),
            pytest.raises(MetadataRefreshIncomplete) as failure,
        ):
            saml_metadata_job()
    finally:
        globex_idp.stop()

    assert Connection.objects.get(tenant=acme).saml_idp_metadata == kept
    assert Connection.objects.get(tenant=globex).saml_idp_metadata == rolled_over
    report = str(failure.value)  # the run's outcome in Admin → Scheduled runs
    assert report.startswith("Read 2 SAML metadata URL(s): 1 changed, 1 failed")
    assert f"Acme (#{acme.pk}): " in report and "describes no identity provider" in report
    assert served.url() in caplog.text  # the operator's log names the URL


def daily_run(django_capture_on_commit_callbacks: Any) -> str:
    """The job as the scheduler runs it, its emails sent: the outcome or the failure."""
    with django_capture_on_commit_callbacks(execute=True):
        try:
            return saml_metadata_job()
        except MetadataRefreshIncomplete as failure:
            return str(failure)


@pytest.mark.xmlsec1
def test_a_failing_read_is_kept_on_the_connection_and_the_owners_are_told_once(
    acme: Any,
    owner: Any,
    served: MetadataServer,
    loopback_allowed: None,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Sign-in goes on with the stored metadata, but only an owner can fix the URL
    before the IdP signs with a certificate it does not hold: told on the first day of
    the failure, not every day, and again if it fails anew after a good read."""
    save(acme, owner, served.url())
    co_owner = add_member(acme, role_key="owner").user
    add_member(acme, role_key="admin")  # not an owner: not told
    suspended = add_member(acme, role_key="owner")  # by the directory: not told either
    Membership.objects.filter(pk=suspended.pk).update(suspended_at=timezone.now())
    served.body = b"<html>Sign in to continue</html>"
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        assert "1 failed" in daily_run(django_capture_on_commit_callbacks)

    connection = Connection.objects.get(tenant=acme)
    assert connection.saml_idp_metadata_failing_since == start
    assert "describes no identity provider" in connection.saml_idp_metadata_error_said
    [notice] = mailoutbox
    assert sorted(notice.to) == sorted([owner.email, co_owner.email])
    assert notice.subject == (
        "Single sign-on of Acme: the identity provider's metadata could not be read"
    )
    assert served.url() in notice.body and "describes no identity provider" in notice.body
    assert f"/t/{acme.slug}/settings/sso/" in notice.body
    assert "keeps working with the metadata read before" in notice.body

    served.body = b"Service unavailable, try later"  # the next day: another reason
    with time_machine.travel(start + timedelta(days=1)):
        assert "1 failed" in daily_run(django_capture_on_commit_callbacks)
    connection.refresh_from_db()
    assert connection.saml_idp_metadata_failing_since == start, "the same run of failures"
    assert "not valid SAML IdP metadata XML" in connection.saml_idp_metadata_error_said
    assert len(mailoutbox) == 1, "told once per run of failures"

    served.body = LocalSamlIdP().metadata.encode()  # fixed: read again
    with time_machine.travel(start + timedelta(days=2)):
        assert "0 failed" in daily_run(django_capture_on_commit_callbacks)
    connection.refresh_from_db()
    assert connection.saml_idp_metadata_failing_since is None
    assert connection.saml_idp_metadata_error == ""

    served.body = b"<html>Sign in to continue</html>"  # a new run of failures
    with time_machine.travel(start + timedelta(days=3)):
        daily_run(django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 2


@pytest.mark.xmlsec1
def test_the_settings_page_says_the_url_is_failing_until_a_refresh_reads_it(
    owner_client: Any,
    acme: Any,
    owner: Any,
    served: MetadataServer,
    loopback_allowed: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    save(acme, owner, served.url())
    served.body = b"<html>Sign in to continue</html>"
    daily_run(django_capture_on_commit_callbacks)

    html = owner_client.get(page(acme, "connection")).content.decode()
    assert 'data-testid="saml-metadata-failing"' in html
    shown = " ".join(re.sub(r"<[^>]+>", "", html).split())
    assert "Reading the metadata URL started failing just now: " in shown
    assert "describes no identity provider" in html

    served.body = LocalSamlIdP().metadata.encode()
    assert owner_client.post(page(acme, "connection-saml-refresh")).status_code == 302

    html = owner_client.get(page(acme, "connection")).content.decode()
    assert 'data-testid="saml-metadata-failing"' not in html


@pytest.mark.xmlsec1
def test_each_owner_reads_why_in_their_own_language(
    acme: Any,
    owner: Any,
    client: Any,
    served: MetadataServer,
    loopback_allowed: None,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The job runs in no one's language: it keeps the reason untranslated with its
    values, and the page and each owner's email say it in the reader's language."""
    save(acme, owner, served.url())
    german = add_member(acme, role_key="owner").user
    User.objects.filter(pk=german.pk).update(language="de")
    served.status, served.body = 503, b"Service unavailable"

    daily_run(django_capture_on_commit_callbacks)

    by_language = {tuple(m.to): m.body for m in mailoutbox}
    english, deutsch = by_language[(owner.email,)], by_language[(german.email,)]
    assert "The metadata URL answered 503, not the metadata" in english
    assert "Die URL der Metadaten antwortete mit 503 statt mit den Metadaten" in deutsch
    assert "The metadata URL answered" not in deutsch
    client.force_login(german)
    html = client.get(page(acme, "connection")).content.decode()
    assert "Die URL der Metadaten antwortete mit 503 statt mit den Metadaten" in html

    served.status, served.body = 200, b"<html>Sign in to continue</html>"  # no values
    daily_run(django_capture_on_commit_callbacks)
    html = client.get(page(acme, "connection")).content.decode()
    assert "Dieses XML beschreibt keinen Identitätsanbieter" in html


@pytest.mark.xmlsec1
def test_saving_other_metadata_ends_the_failure(
    acme: Any,
    owner: Any,
    served: MetadataServer,
    loopback_allowed: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    save(acme, owner, served.url())
    served.body = b"<html>Sign in to continue</html>"
    daily_run(django_capture_on_commit_callbacks)
    assert Connection.objects.get(tenant=acme).saml_idp_metadata_failing_since is not None
    moved = MetadataServer(body=LocalSamlIdP().metadata.encode())

    try:
        save(acme, owner, moved.url())  # the owner gives the IdP's new URL
    finally:
        moved.stop()

    connection = Connection.objects.get(tenant=acme)
    assert connection.saml_idp_metadata_failing_since is None
    assert connection.saml_idp_metadata_error == ""


@pytest.mark.xmlsec1
def test_a_deleted_organisation_s_url_is_not_read(
    acme: Any, owner: Any, served: MetadataServer, loopback_allowed: None
) -> None:
    save(acme, owner, served.url())
    Tenant.objects.filter(pk=acme.pk).update(deleted_at=timezone.now())

    assert saml_metadata_job().startswith("Read 0 SAML metadata URL(s)")
    assert served.requests == ["/metadata.xml"]  # the first read only


def test_the_job_is_scheduled_daily() -> None:
    job = job_parse("sso_saml_metadata", settings.SCHEDULE["sso_saml_metadata"])

    assert job.task == "sso.jobs.saml_metadata_refresh" and job.at is not None


# --- refusals ----------------------------------------------------------------------------


@pytest.mark.xmlsec1
@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"<html><body>Okta sign-in page</body></html>", "describes no identity provider"),
        (b"Service unavailable, try later", "not valid SAML IdP metadata XML"),
    ],
)
def test_a_url_that_serves_something_other_than_metadata_is_refused(
    owner_client: Any,
    acme: Any,
    served: MetadataServer,
    loopback_allowed: None,
    body: bytes,
    why: str,
) -> None:
    served.body = body

    response = owner_client.post(
        page(acme, "connection-saml-save"), saml_form(acme, idp_metadata_url=served.url())
    )

    assert response.status_code == 400
    assert why in response.content.decode()
    assert not Connection.objects.filter(tenant=acme).exists()


@pytest.mark.xmlsec1
def test_metadata_larger_than_the_limit_is_refused(
    acme: Any, owner: Any, served: MetadataServer, loopback_allowed: None, settings: Any
) -> None:
    settings.SSO_METADATA_MAX_BYTES = len(served.body) - 1

    with pytest.raises(ConnectionRefused, match="too large"):
        save(acme, owner, served.url())

    assert not Connection.objects.filter(tenant=acme).exists()


@pytest.mark.xmlsec1
def test_a_redirect_is_not_followed(
    acme: Any, served: MetadataServer, loopback_allowed: None, idp: LocalSamlIdP
) -> None:
    """Not even to the same host: the owner gives the final URL."""
    served.status, served.location = 302, "http://169.254.169.254/latest/meta-data/"

    with pytest.raises(ConnectionRefused, match="302"):
        metadata_fetch(served.url())

    assert served.requests == ["/metadata.xml"]


@pytest.mark.xmlsec1
def test_plain_http_is_refused_unless_allowed(served: MetadataServer) -> None:
    with pytest.raises(ConnectionRefused, match="https"):
        metadata_fetch(served.url())

    assert served.requests == []


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.0.0.7", "192.168.1.20", "169.254.169.254", "100.64.0.1"]
)
def test_a_name_resolving_to_a_private_address_is_refused_before_connecting(
    dns_server: LocalDNS, address: str, refusals_log: Any
) -> None:
    """SSRF: a public-looking https URL whose name resolves inside the network (the
    loopback, a private range, the cloud metadata service) is refused after DNS, before
    any connection."""
    dns_server.publish_address("idp.attacker.example", address)

    with pytest.raises(ConnectionRefused, match="private or reserved address"):
        metadata_fetch("https://idp.attacker.example/metadata.xml")

    assert "sso.metadata_url_refused" in refusals_log()


def test_an_ip_literal_inside_the_network_is_refused(refusals_log: Any) -> None:
    for url in ("https://127.0.0.1/m.xml", "https://[::1]/m.xml", "https://[::ffff:10.0.0.1]/"):
        with pytest.raises(ConnectionRefused, match="private or reserved address"):
            metadata_fetch(url)


@pytest.mark.xmlsec1
def test_the_loopback_server_is_refused_when_private_addresses_are_not_allowed(
    served: MetadataServer, settings: Any, dns_server: LocalDNS
) -> None:
    """The same server the tests above read, by name over https: refused, unread."""
    dns_server.publish_address("metadata.test", "127.0.0.1")

    with pytest.raises(ConnectionRefused, match="private or reserved address"):
        metadata_fetch(f"https://metadata.test:{served.httpd.server_port}/metadata.xml")

    assert served.requests == []


@pytest.mark.xmlsec1
def test_giving_both_the_xml_and_a_url_is_refused(acme: Any, owner: Any, idp: LocalSamlIdP) -> None:
    from tenants.models import Role

    with pytest.raises(ConnectionRefused, match="not both"):
        saml_connection_save(
            tenant=acme,
            acting_user=owner,
            idp_metadata=idp.metadata,
            idp_metadata_url="https://idp.example/metadata",
            default_role=Role.objects.get(tenant=acme, key="member"),
            require_sso=False,
            auto_join=False,
        )


@pytest.fixture
def refusals_log(caplog: pytest.LogCaptureFixture) -> Any:
    caplog.set_level("WARNING", logger="pacetrack.security")
    return lambda: [getattr(r, "event", "") for r in caplog.records]
