"""A German or Arabic member of support viewing the app as an English-speaking owner
keeps their own language (config/settings.py orders the middleware so): the owner's
pages, the "Support view" banner on each of them and the log of the view starting show
none of the English text the catalogue translates (the crawl of
tests/config/test_pages_in_reader_language.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from core.audit import personal_tenant_of
from tests.accounts.factories import staff_with
from tests.config.test_pages_in_reader_language import english_shown, translated_english
from tests.config.urlcrawl import every_url
from tests.sessions_app.helpers import FIREFOX_LINUX

pytestmark = pytest.mark.django_db

REASON = "Ticket #4521: the member list looks empty to them"


@pytest.mark.parametrize("language", ["de", "ar"])
def test_support_reads_the_owners_app_in_their_own_language(
    language: str, acme: Any, owner: Any, settings: Any
) -> None:
    settings.MFA_ADMIN_REQUIRED = False
    type(owner).objects.filter(pk=owner.pk).update(language="en")
    staff = staff_with(
        "support.impersonate", "accounts.view_user", email="sam@pacetrack.test", language=language
    )
    support = Client(HTTP_USER_AGENT=FIREFOX_LINUX)
    support.force_login(staff)
    started = support.post(f"/admin/accounts/user/{owner.pk}/view-as/", {"reason": REASON})
    assert started.status_code == 302

    dashboard = support.get(f"/t/{acme.slug}/")
    assert dashboard.wsgi_request.user == owner
    assert 'data-testid="impersonation-banner"' in dashboard.content.decode()
    log = support.get(f"/t/{acme.slug}/audit/").content.decode()
    assert REASON in log and "sam@pacetrack.test" in log  # the start, which the crawl reads
    personal = personal_tenant_of(user_id=owner.pk)
    assert personal is not None
    urls = every_url(tenant_slug=acme.slug) + every_url(tenant_slug=personal.slug)
    english = translated_english(language) - {acme.name, REASON}
    crawled, found = english_shown(support, urls, english)
    assert crawled > 30
    assert found == {}
    assert 'data-testid="impersonation-banner"' in support.get("/account/").content.decode()
