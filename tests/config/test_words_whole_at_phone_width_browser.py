"""In Chromium at 360 px, in German (the language of long compound words): no word on
a workspace or account page is cut in the middle without a hyphen, and the past-due
banner's text keeps its width beside its button. Long words break where a translation
put a soft hyphen ("Verzeichnis\u00adsynchronisierung"). Addresses, paths and URLs may
break anywhere: they are left out."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from billing.models import Account
from mfa.totp import totp_code_at
from tests.accounts.factories import UserFactory
from tests.core.browser import sign_in, workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each place where a line ends inside a word (between two letters, after no hyphen).
CUT_WORDS = r"""() => {
  const found = [];
  const places = 'main h1, main h2, main h3, main a, main button, main label, main dt, '
    + 'main th, main p, [role=alert] p';
  for (const element of document.querySelectorAll(places)) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const text = node.data;
      if (/[@\/]/.test(text)) continue;  // an address, a path, a URL
      let lastTop = null;
      for (let i = 0; i < text.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rects = range.getClientRects();
        if (!rects.length) continue;
        const top = Math.round(rects[rects.length - 1].top);
        if (lastTop !== null && top > lastTop + 2 && i > 0
            && /\p{L}/u.test(text[i]) && /\p{L}/u.test(text[i - 1])) {
          found.push(text.slice(Math.max(0, i - 15), i) + '|' + text.slice(i, i + 15));
        }
        lastTop = top;
      }
    }
  }
  return found;
}"""

WORKSPACE_PAGES = [
    "",
    "members/",
    "teams/",
    "roles/",
    "files/",
    "billing/",
    "settings/",
    "audit/",
    "settings/scim/",
    "settings/sso/",
    "settings/domains/",
    "settings/api-keys/",
    "settings/webhooks/",
]
ACCOUNT_PAGES = [
    "/account/",
    "/account/security/",
    "/account/sessions/",
    "/account/delete/",
    "/account/tenants/",
    "/account/tenants/new/",
]


def test_no_german_word_is_cut_at_phone_width(page: Any) -> None:
    w = workspace()
    type(w.owner).objects.filter(pk=w.owner.pk).update(language="de")
    Account.objects.filter(pk=w.org.account_id).update(status=Account.Status.PAST_DUE)
    page.set_viewport_size({"width": 360, "height": 800})
    sign_in(page, w.owner.email)

    cut = {}
    for url in [w.url(path) for path in WORKSPACE_PAGES] + ACCOUNT_PAGES:
        page.goto(url)
        if found := page.evaluate(CUT_WORDS):
            cut[url] = found
        if url == w.url("billing/"):
            banner = page.locator(".alert-banner").filter(has_text="Zahlung fehlgeschlagen")
            text = banner.locator("xpath=./div/div[1]")  # beside (or above) its button
            assert text.bounding_box()["width"] >= 256  # the button went below it

    assert cut == {}


def test_the_recovery_codes_title_breaks_its_long_word_with_a_hyphen(page: Any) -> None:
    """ "Speichern Sie Ihre Wiederherstellungscodes" wrapped at 360 px with a lone "s" on
    its own line. The page exists only as the answer to turning on an app, so it is
    reached the way a person reaches it."""
    person = UserFactory(language="de")
    page.set_viewport_size({"width": 360, "height": 800})
    sign_in(page, person.email, then="/account/security/authenticator/")
    secret = page.get_by_test_id("totp-secret").text_content().replace(" ", "")
    page.locator("input[name=code]").fill(totp_code_at(secret))

    page.locator("main form button[type=submit]").click()

    title = page.get_by_role("heading", level=1)
    expect(title).to_have_text("Speichern Sie Ihre Wiederherstellungscodes")
    assert page.evaluate(CUT_WORDS) == []
    assert title.evaluate("h1 => h1.scrollWidth <= h1.clientWidth")
