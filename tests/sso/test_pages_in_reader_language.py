"""The single sign-on pages and the log of what SSO and staff did, read by a German or
Arabic owner: none of the English text the catalogue translates (the crawl of
tests/config/test_pages_in_reader_language.py, with a verified domain and a connection
to a real provider on loopback, which only this directory's fixtures make)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from sessions_app.models import Session
from sessions_app.services import session_create, session_revoke_all_for_user
from sso.jobs import MetadataRefreshIncomplete
from sso.jobs import saml_metadata_refresh as saml_metadata_refresh_job
from sso.models import JoinRequest
from sso.services_org import auto_join_apply
from tenants import services
from tests.accounts.factories import UserFactory
from tests.config.test_pages_in_reader_language import (
    english_shown,
    reader_in,
    translated_english,
    workspace_urls,
)
from tests.config.urlcrawl import every_url
from tests.sessions_app.helpers import FIREFOX_LINUX
from tests.sso.saml_idp import LocalSamlIdP
from tests.sso.test_saml_certificate import certificate_end
from tests.sso.test_saml_metadata_url import MetadataServer, save
from tests.tenants.factories import add_member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["de", "ar"])
def test_no_page_shows_english_the_catalogue_translates(
    language: str, acme: Any, owner: Any, acme_sso: Any, user: Any
) -> None:
    """The organisation's SSO pages with a verified domain and a connection to a real
    provider on loopback; the log with what SSO and staff did, stored as codes."""
    type(acme_sso).objects.filter(pk=acme_sso.pk).update(join_requests=True)
    asking = UserFactory(email="asking@example.com")
    assert isinstance(auto_join_apply(user=asking), JoinRequest)  # on the SSO page
    team = services.team_create(tenant=acme, name="Vertrieb", acting_user=owner)
    membership = add_member(acme)
    services.team_member_add(
        tenant=acme, team=team, membership=membership, acting_user=None, via_sso=True
    )
    services.team_member_remove(
        tenant=acme, team=team, membership=membership, acting_user=None, via_sso=True
    )
    session_create(user_id=owner.pk, token="s" * 43, user_agent=FIREFOX_LINUX)
    session_revoke_all_for_user(user=owner, reason=Session.RevokedReason.ADMIN, acting_user=user)
    reader = reader_in(language, owner)
    english = translated_english(language) - {acme.name, "Vertrieb"}

    sso_page = reader.get(f"/t/{acme.slug}/settings/sso/").content.decode()
    assert asking.email in sso_page and acme_sso.issuer in sso_page  # what the crawl reads

    crawled, found = english_shown(reader, workspace_urls(acme, owner), english)
    assert crawled > 30
    assert found == {}


@pytest.mark.xmlsec1
@pytest.mark.parametrize("language", ["de", "ar"])
def test_a_saml_connection_in_trouble_is_said_in_the_readers_language(
    language: str, acme: Any, owner: Any, settings: Any
) -> None:
    """A SAML connection read from a metadata URL that now fails, its IdP's signing
    certificate ending in ten days: the SSO page's rows and both warnings, and the log
    of the connection saved, refreshed and failing."""
    settings.SSO_METADATA_ALLOW_PRIVATE = True
    idp = LocalSamlIdP()
    served = MetadataServer(body=idp.metadata.encode())
    try:
        connection = save(acme, owner, served.url())
    finally:
        served.stop()  # from now on the URL refuses: the daily re-read fails
    with time_machine.travel(certificate_end(idp) - timedelta(days=10)):
        with pytest.raises(MetadataRefreshIncomplete):  # the job fails loudly for operators
            saml_metadata_refresh_job()
        connection.refresh_from_db()
        assert connection.saml_idp_metadata_failing_since is not None
        reader = reader_in(language, owner)
        # The SAML attribute names are the IdP's words ("groups"), shown as they are.
        attributes = {"email", "firstName", "lastName", "groups"}
        english = translated_english(language) - {acme.name} - attributes

        sso_page = reader.get(f"/t/{acme.slug}/settings/sso/").content.decode()
        for shown in ("saml-metadata-failing", "saml-certificate-ending", "saml-metadata-url"):
            assert f'data-testid="{shown}"' in sso_page  # what the crawl reads
        crawled, found = english_shown(reader, every_url(tenant_slug=acme.slug), english)
    assert crawled > 20
    assert found == {}
