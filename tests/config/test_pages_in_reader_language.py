"""Every page a German or Arabic owner opens shows none of the English text the
catalogue translates: stored words (device names, role names, audit keys) included,
which the template scan in test_translations.py cannot see."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.utils.translation import trans_real

from api.services import api_key_create
from core.audit import personal_tenant_of
from tenants import services
from tenants.models import Role
from tests.config.urlcrawl import every_url
from tests.core.browser import workspace
from tests.sessions_app.helpers import FIREFOX_LINUX
from webhooks.delivery import delivery_attempt
from webhooks.events import event_emit
from webhooks.services import endpoint_create

pytestmark = pytest.mark.django_db

# Pages that stay English by design (README, "What stays English"): the API reference
# and the staff-only admin.
ENGLISH_PAGES = ("/api/", "/admin/")
# A language's own name in the language picker.
OWN_NAMES = {"English"}
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "data-confirm"}
READ_ATTRIBUTES |= {"data-confirm-detail", "data-confirm-button"}


class _Words(HTMLParser):
    """Text nodes and the attributes people read or hear, whitespace collapsed."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        named = dict(attrs)
        for name, value in attrs:
            shown = name in READ_ATTRIBUTES or (
                name == "value" and tag == "input" and named.get("type") in ("submit", "button")
            )
            if shown and value and value.strip():
                self.words.append(" ".join(value.split()))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.words.append(" ".join(data.split()))


def translated_english(language: str) -> set[str]:
    """The English texts this language says differently (ours and Django's catalogues,
    ours first, as pages get them)."""
    translation = trans_real.translation(language)
    catalogue: dict[Any, str] = translation._catalog  # type: ignore[attr-defined]
    return {
        msgid
        for msgid in catalogue.keys()  # noqa: SIM118 (a TranslationCatalog, not a dict)
        if isinstance(msgid, str)
        and msgid
        and "\x04" not in msgid
        and translation.gettext(msgid) != msgid
    } - OWN_NAMES


def english_shown(reader: Client, urls: list[str], english: set[str]) -> tuple[int, dict[str, str]]:
    """How many pages answered 200 with HTML, and each English text found (→ a page)."""
    crawled, found = 0, {}
    for url in dict.fromkeys(urls):
        if url.startswith(ENGLISH_PAGES):
            continue
        response = reader.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        crawled += 1
        words = _Words()
        words.feed(response.content.decode())
        found.update({text: url for text in words.words if text in english})
    return crawled, found


@pytest.mark.parametrize("billing", [False, True], ids=["billing off", "billing on"])
@pytest.mark.parametrize("language", ["de", "ar"])
def test_no_page_shows_english_the_catalogue_translates(
    language: str, billing: bool, settings: Any
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    acme = workspace()
    owner = acme.owner
    # A webhook endpoint with a failed attempt, an API key.
    endpoint, _secret = endpoint_create(
        tenant=acme.org,
        url="http://127.0.0.1:9/hooks",
        description="Orders",
        event_types=["member.added"],
        acting_user=owner,
    )
    for delivery in event_emit(tenant_id=acme.org.pk, type="member.added", data={"id": 1}):
        delivery_attempt(delivery_id=delivery.pk)
    api_key_create(tenant=acme.org, name="CI", scopes=[], expires_at=None, acting_user=owner)
    # Changes whose stored values the audit log shows: a built-in role, a yes/no.
    services.membership_change_role(
        tenant=acme.org,
        membership=acme.member,
        role=Role.objects.get(tenant=acme.org, key="admin"),
        acting_user=owner,
    )
    services.membership_set_billing_contact(
        tenant=acme.org, membership=acme.member, is_billing_contact=True, acting_user=owner
    )
    type(owner).objects.filter(pk=owner.pk).update(language=language)
    if billing:  # the local backend: Free, its upgrade cards and the billing pages
        settings.BILLING_BACKEND = "billing.backends.local.LocalBillingBackend"
        settings.STRIPE_PRICE_PRO = "price_demo"
        settings.STRIPE_PRICE_BUSINESS = "price_demo_business"
    reader = Client(HTTP_USER_AGENT=FIREFOX_LINUX)
    reader.force_login(owner)
    # What people typed ("Design", a team) is theirs, whatever the catalogue holds.
    typed = {acme.org.name, acme.team.name, acme.role.name, acme.upload.original_filename}
    typed |= {"Orders", "CI"}
    english = translated_english(language) - typed

    # The crawl's sample ids ("1") miss most objects: the workspace's own, by hand.
    objects = [acme.url(f"teams/{acme.team.pk}/"), acme.url(f"roles/{acme.role.pk}/")]
    objects.append(acme.url(f"settings/webhooks/{endpoint.pk}/"))
    personal = personal_tenant_of(user_id=owner.pk)
    assert personal is not None
    urls = every_url(tenant_slug=acme.org.slug) + objects + every_url(tenant_slug=personal.slug)
    crawled, found = english_shown(reader, urls, english)
    assert crawled > 30  # the crawl reached the workspace's and the account's pages
    assert found == {}


@pytest.mark.parametrize("language", ["de", "ar"])
def test_no_signed_out_page_shows_english_the_catalogue_translates(language: str) -> None:
    visitor = Client(HTTP_ACCEPT_LANGUAGE=language)
    crawled, found = english_shown(visitor, every_url(), translated_english(language))
    assert crawled >= 5  # home, sign-in, sign-up, password reset…
    assert found == {}
