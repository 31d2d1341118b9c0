"""In Arabic (right to left), Latin-script values read as typed: a URL in the activity
feed, the audit log and the webhook pages keeps its slashes where they were, a delivery
attempt stays "#1", and an English file or team name cut short at the end of its line
keeps its beginning, the part that tells it apart."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile

from tests.accounts.factories import UserFactory
from tests.core.browser import sign_in
from tests.tenants.factories import OrgFactory, make_team
from uploads.services import upload_create
from webhooks.services import endpoint_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

URL = "https://127.0.0.1:9/"
FILE_NAME = "notes with a very long file name that goes on and on for testing overflow.txt"
TEAM_NAME = "Site Infrastructure Reliability Operations and Tooling Group"

# For the first element holding `text`: is its first character left of its last (read
# left to right), and is its first character inside the element's box (not cut off)?
READS = r"""([selector, text]) => {
  for (const element of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const at = node.data.indexOf(text);
      if (at < 0) continue;
      const rect = (i) => {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        return range.getBoundingClientRect();
      };
      const first = rect(at), last = rect(at + text.length - 1);
      const box = element.getBoundingClientRect();
      return {
        inOrder: first.left < last.left,
        startShown: first.left >= box.left - 1 && first.right <= box.right + 1,
      };
    }
  }
  return null;
}"""


def _upload(org: Any, owner: Any, name: str) -> None:
    upload_create(
        tenant=org,
        uploaded_by=owner,
        file=ContentFile(b"notes", name=name),
        extension="txt",
        content_type="text/plain",
    )


@pytest.mark.parametrize("width", [1280, 360])
def test_latin_values_read_as_typed_on_arabic_pages(
    _browser: Any, live_server: Any, settings: Any, width: int
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the endpoint below is on loopback
    owner = UserFactory(language="ar")
    org = OrgFactory(owner=owner, name="Acme")
    endpoint, _secret = endpoint_create(
        tenant=org, url=URL, description="", event_types=["member.added"], acting_user=owner
    )
    make_team(org, TEAM_NAME)
    _upload(org, owner, FILE_NAME)
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    try:
        page = context.new_page()
        sign_in(page, owner.email, then=f"/t/{org.slug}/")
        assert page.evaluate("document.documentElement.dir") == "rtl"

        def reads(selector: str, text: str) -> dict[str, bool]:
            found = page.evaluate(READS, [selector, text])
            assert found is not None, f"{text!r} not in {selector}"
            return found

        assert reads("main li", URL)["inOrder"]  # the activity feed
        file_name = reads("main a", FILE_NAME[:20])
        assert file_name["startShown"] and file_name["inOrder"]
        assert reads("main li span", TEAM_NAME[:20])["startShown"]

        page.goto(f"/t/{org.slug}/audit/")
        assert reads("main td", URL)["inOrder"]
        page.goto(f"/t/{org.slug}/settings/webhooks/")
        assert reads("main td a", URL)["inOrder"]
        page.goto(f"/t/{org.slug}/settings/webhooks/{endpoint.pk}/")
        assert reads("main h2", URL)["inOrder"]
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 360])
def test_a_latin_team_name_starting_and_ending_in_punctuation_reads_as_typed(
    _browser: Any, live_server: Any, width: int
) -> None:
    """ "<b>bold</b> & co" read "b>bold</b> & co<" on the teams page and the invite form:
    its first and last characters took the page's direction."""
    owner = UserFactory(language="ar")
    org = OrgFactory(owner=owner, name="Acme")
    name = "<b>bold</b> & co"
    team = make_team(org, name)
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    try:
        page = context.new_page()
        sign_in(page, owner.email, then=f"/t/{org.slug}/teams/")
        assert page.evaluate(READS, ["main h2", name])["inOrder"]
        page.goto(f"/t/{org.slug}/teams/{team.pk}/")  # its settings
        assert page.evaluate(READS, ["main h2", name])["inOrder"]
        page.goto(f"/t/{org.slug}/teams/{team.pk}/people/")  # all its members
        assert page.evaluate(READS, ["main h2", name])["inOrder"]
        page.goto(f"/t/{org.slug}/members/")
        assert page.evaluate(READS, ["main label", name])["inOrder"]
    finally:
        context.close()


ORG_NAME = "Müller & Söhne Präzisionsmaschinenbau und Anlagentechnik GmbH"
PERSON_NAME = "Maximiliane Obermüller-Schönfeld von Hohenstein"


@pytest.mark.parametrize("width", [1280, 360])
def test_a_latin_organisation_or_person_cut_short_keeps_its_beginning(
    _browser: Any, live_server: Any, width: int
) -> None:
    """The switcher read "…ne Maschinenbau GmbH", the phone menu and the files'
    "Uploaded by" the same: cut at the start, the part that tells two names apart."""
    owner = UserFactory(language="ar", name=PERSON_NAME)
    org = OrgFactory(owner=owner, name=ORG_NAME)
    _upload(org, owner, "notes.txt")
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    try:
        page = context.new_page()
        sign_in(page, owner.email, then=f"/t/{org.slug}/files/")
        if width >= 640:
            switcher = page.evaluate(READS, ["[data-testid=tenant-switcher] summary", "Müller"])
            assert switcher["startShown"]
            page.locator("[data-testid=tenant-switcher] summary").click()
            assert page.evaluate(READS, ["[data-testid=tenant-switcher] a", "Müller"])["startShown"]
        else:
            page.locator("[data-testid=mobile-menu] summary").click()
            assert page.evaluate(READS, ["[data-testid=mobile-menu] a", "Müller"])["startShown"]
            assert page.evaluate(READS, ["[data-testid=mobile-menu] p", "Maximiliane"])[
                "startShown"
            ]
            # A Latin address that fits lines up with the Arabic menu, on its right.
            gap = page.locator("[data-testid=mobile-menu] p", has_text=owner.email).evaluate(
                """p => { const r = document.createRange(); r.selectNodeContents(p);
                return p.getBoundingClientRect().right - r.getBoundingClientRect().right; }"""
            )
            assert 0 <= gap < 2, gap
        assert page.evaluate(READS, ["main td span", "Maximiliane"])["startShown"]
    finally:
        context.close()
