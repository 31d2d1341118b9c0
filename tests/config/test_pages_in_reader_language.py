"""Every page a German or Arabic owner opens shows none of the English text the
catalogue translates: stored words (device names, role names, audit keys) included,
which the template scan in test_translations.py cannot see."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.translation import trans_real

from api.services import api_key_create
from core.audit import personal_tenant_of
from tenants import services
from tenants.invitations import invitation_create
from tenants.models import Role
from tests.accounts.factories import UserFactory
from tests.accounts.mailtools import link_in
from tests.config.urlcrawl import every_url
from tests.core.browser import workspace
from tests.sessions_app.helpers import FIREFOX_LINUX
from tests.tenants.factories import OrgFactory, add_member, make_team
from uploads.services import upload_create
from webhooks.delivery import delivery_attempt
from webhooks.events import event_emit
from webhooks.services import endpoint_create, endpoint_update

pytestmark = pytest.mark.django_db

# Pages that stay English by design (README, "What stays English"): the API reference
# and the staff-only admin.
ENGLISH_PAGES = ("/api/", "/admin/")
# A language's own name in the language picker.
OWN_NAMES = {"English"}
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
# The words a destructive form asks with (core/confirm.py), read from its hidden field.
ASK_FIELD = "confirm-ask"
ASK_WORDS = ("question", "detail", "button", "cancel")
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}


class _Words(HTMLParser):
    """Text nodes and the attributes people read or hear, whitespace collapsed; not what
    is marked translate="no" (names and initials: "May", "AM", an organisation called
    "Billing" are theirs)."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self._hidden = 0
        self._theirs: list[str] = []  # the open elements inside a translate="no"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        named = dict(attrs)
        if self._theirs or named.get("translate") == "no":
            if tag not in VOID_TAGS:
                self._theirs.append(tag)
            return
        if tag == "input" and named.get("name") == ASK_FIELD:
            ask = json.loads(named.get("value") or "{}")
            self.words += [" ".join(ask[key].split()) for key in ASK_WORDS if ask.get(key)]
        for name, value in attrs:
            shown = name in READ_ATTRIBUTES or (
                name == "value" and tag == "input" and named.get("type") in ("submit", "button")
            )
            if shown and value and value.strip():
                self.words.append(" ".join(value.split()))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1
        if self._theirs and self._theirs[-1] == tag:
            self._theirs.pop()

    def handle_data(self, data: str) -> None:
        if not self._hidden and not self._theirs and data.strip():
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


def reader_in(language: str, user: Any) -> Client:
    """`user`, who reads `language`, signed in on a desktop Firefox."""
    type(user).objects.filter(pk=user.pk).update(language=language)
    reader = Client(HTTP_USER_AGENT=FIREFOX_LINUX)
    reader.force_login(user)
    return reader


def workspace_urls(org: Any, owner: Any) -> list[str]:
    """Every page of `org` and of its owner's personal workspace (the account's too)."""
    personal = personal_tenant_of(user_id=owner.pk)
    assert personal is not None
    return every_url(tenant_slug=org.slug) + every_url(tenant_slug=personal.slug)


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
    # Changes whose stored values the audit log shows: an endpoint's events, a built-in
    # role, a yes/no.
    endpoint_update(
        tenant=acme.org,
        endpoint=endpoint,
        acting_user=owner,
        url=endpoint.url,
        event_types=["member.added", "team.created"],
        description="Orders",
    )
    services.membership_change_role(
        tenant=acme.org,
        membership=acme.member,
        role=Role.objects.get(tenant=acme.org, key="admin"),
        acting_user=owner,
    )
    services.membership_set_billing_contact(
        tenant=acme.org, membership=acme.member, is_billing_contact=True, acting_user=owner
    )
    if billing:  # the local backend: Free, its upgrade cards and the billing pages
        settings.BILLING_BACKEND = "billing.backends.local.LocalBillingBackend"
        settings.STRIPE_PRICE_PRO = "price_demo"
        settings.STRIPE_PRICE_BUSINESS = "price_demo_business"
    reader = reader_in(language, owner)
    # What people typed ("Design", a team) is theirs, whatever the catalogue holds.
    typed = {acme.org.name, acme.team.name, acme.role.name, acme.upload.original_filename}
    typed |= {"Orders", "CI"}
    english = translated_english(language) - typed

    # The crawl's sample ids ("1") miss most objects: the workspace's own, by hand.
    objects = [acme.url(f"teams/{acme.team.pk}/"), acme.url(f"roles/{acme.role.pk}/")]
    objects.append(acme.url(f"settings/webhooks/{endpoint.pk}/"))
    objects.append(acme.url(f"settings/webhooks/{endpoint.pk}/edit/"))
    crawled, found = english_shown(reader, workspace_urls(acme.org, owner) + objects, english)
    assert crawled > 30  # the crawl reached the workspace's and the account's pages
    assert found == {}


@pytest.mark.parametrize("language", ["de", "ar"])
def test_names_that_are_english_words_are_the_persons(language: str) -> None:
    """ "May" in the header, "AM" and "PM" as initials are what the catalogue translates
    (a month, times of day), yet here a person's: names and initials are marked
    translate="no", which a translating browser and this crawl both respect."""
    owner = UserFactory(email="may@example.com", name="May Ames")
    org = OrgFactory(owner=owner, name="Acme")
    amy = add_member(org, UserFactory(email="amy@example.com", name="Amy Morgan"))
    pam = add_member(org, UserFactory(email="pam@example.com", name="Pam Moss"))
    team = make_team(org, "Design")
    for membership in (amy, pam):
        services.team_member_add(tenant=org, team=team, membership=membership, acting_user=None)
    upload_create(
        tenant=org,
        uploaded_by=amy.user,
        file=SimpleUploadedFile("plan.txt", b"The plan.", content_type="text/plain"),
        extension="txt",
        content_type="text/plain",
    )
    english = translated_english(language) - {org.name, team.name}
    assert {"May", "AM", "PM"} <= english  # what the crawl would report unmarked
    reader = reader_in(language, owner)
    members = reader.get(f"/t/{org.slug}/members/").content.decode()
    assert ">AM</span>" in members and ">PM</span>" in members and "Amy Morgan" in members

    crawled, found = english_shown(reader, every_url(tenant_slug=org.slug), english)
    assert crawled > 20
    assert found == {}


@pytest.mark.parametrize("language", ["de", "ar"])
def test_an_organisation_named_with_an_english_word_keeps_its_name(
    language: str, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    """An organisation called "Billing" is a name, not the catalogue's word: where its
    name stands alone (header, switcher, page title, the workspace list, an invitation)
    it is marked translate="no", so a translating browser and this crawl leave it be."""
    owner = UserFactory(email="owner@example.com", name="Ada Byron")
    org = OrgFactory(owner=owner, name="Billing")
    invitee = UserFactory(email="new@example.com", name="Bea Lin")
    member = Role.objects.get(tenant=org, key="member")
    with django_capture_on_commit_callbacks(execute=True):  # the email goes out
        invitation_create(tenant=org, email=invitee.email, role=member, acting_user=owner)
    english = translated_english(language)
    assert "Billing" in english  # what the crawl would report unmarked

    reader = reader_in(language, owner)
    dashboard = reader.get(f"/t/{org.slug}/").content.decode()
    assert dashboard.count('translate="no">Billing</') >= 2  # the switcher, the title
    crawled, found = english_shown(reader, workspace_urls(org, owner), english)
    assert crawled > 30
    assert found == {}

    invited = reader_in(language, invitee)  # the invitation, as its invitee opens it
    assert english_shown(invited, [link_in(mailoutbox[-1])], english) == (1, {})


@pytest.mark.parametrize("language", ["de", "ar"])
def test_no_signed_out_page_shows_english_the_catalogue_translates(language: str) -> None:
    visitor = Client(HTTP_ACCEPT_LANGUAGE=language)
    crawled, found = english_shown(visitor, every_url(), translated_english(language))
    assert crawled >= 5  # home, sign-in, sign-up, password reset…
    assert found == {}
