"""A name of one long word (German makes them: 68 letters, no space to break at) must
not widen any page, on a 360 px phone or at 1280 px, nor slide under what is beside it,
whether it names the organisation, a person, a team, a role, a file, an API key or a
webhook endpoint: the organisation's own pages, the settings page whose delete button
names it, and the invitation a newcomer or a signed-in person opens, whose buttons do."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from accounts.mail_delivery import email_render
from api.services import api_key_create
from core.permissions import AUDIT_VIEW
from tenants.invitations import invitation_create
from tenants.models import Role
from tenants.services import team_member_add
from tests.accounts.factories import UserFactory
from tests.accounts.mailtools import link_in
from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in
from tests.tenants.factories import OrgFactory, add_member, make_role, make_team
from uploads.services import upload_create
from webhooks.services import endpoint_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ONE_WORD = "Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherung"
PAGES = ("", "members/", "teams/", "roles/", "files/", "billing/", "settings/", "audit/")


@pytest.mark.parametrize(("width", "language"), [(360, "en"), (1280, "en"), (360, "ar")])
def test_a_one_word_name_never_widens_a_page(
    _browser: Any,
    live_server: Any,
    owner: Any,
    mailoutbox: list[Any],
    width: int,
    language: str,
    settings: Any,
) -> None:
    """In Arabic too: a page that overflows to the left scrolls as much as one to the right."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the endpoint below is on loopback
    with translation.override(language):
        accept = gettext("Accept and join %(name)s") % {"name": ONE_WORD}
        create = gettext("Create account and join %(name)s") % {"name": ONE_WORD}
    org = OrgFactory(owner=owner, name=ONE_WORD)
    member = Role.objects.get(tenant=org, key="member")
    # Everything else people name, in one word too: a person, a team, a role, a file.
    person = add_member(org, UserFactory(name=ONE_WORD, email="long@example.com"))
    team = make_team(org, ONE_WORD[:60])  # as long as a team's or a role's name may be
    team_member_add(tenant=org, team=team, membership=person, acting_user=owner)
    role = make_role(org, ONE_WORD[:60], [AUDIT_VIEW])
    api_key_create(tenant=org, name=ONE_WORD[:60], scopes=[], expires_at=None, acting_user=owner)
    endpoint, _secret = endpoint_create(
        tenant=org,
        url=f"http://127.0.0.1:9/{ONE_WORD}",
        description=ONE_WORD,
        event_types=["member.added"],
        acting_user=owner,
    )
    upload_create(
        tenant=org,
        uploaded_by=owner,
        file=ContentFile(b"notes", name=f"{ONE_WORD}.txt"),
        extension="txt",
        content_type="text/plain",
    )
    invitation_create(tenant=org, email="new@example.com", role=member, acting_user=owner)
    invited = link_in(mailoutbox[-1])  # a path
    known = UserFactory(email="known@example.com", name=ONE_WORD)
    type(owner).objects.filter(pk__in=[owner.pk, known.pk]).update(language=language)
    invitation_create(tenant=org, email=known.email, role=member, acting_user=owner)
    known_invited = link_in(mailoutbox[-1])
    problems: dict[str, list[str]] = {}
    for who in ("owner", "newcomer", "known"):
        viewport = {"width": width, "height": 780}
        # People read their own language once signed in (through the English form); the
        # newcomer reads the browser's.
        locale = language if who == "newcomer" else "en-US"
        context = _browser.new_context(base_url=live_server.url, viewport=viewport, locale=locale)
        try:
            page = context.new_page()
            watch = PageWatch.attach(page)
            if who == "owner":
                sign_in(page, owner.email)
                urls = [f"/t/{org.slug}/{path}" for path in PAGES] + ["/account/tenants/"]
                urls += [f"/t/{org.slug}/teams/{team.pk}/", f"/t/{org.slug}/roles/{role.pk}/"]
                urls += [f"/t/{org.slug}/teams/{team.pk}/people/"]
                urls += [f"/t/{org.slug}/settings/{path}" for path in ("api-keys/", "webhooks/")]
                urls += [f"/t/{org.slug}/settings/webhooks/{endpoint.pk}/"]
            elif who == "known":  # the invitation, signed in; their own pages
                sign_in(page, known.email)
                urls = [known_invited, "/account/", "/account/security/", "/account/sessions/"]
            else:
                urls = [invited]
            for url in urls:
                if found := watch.check(url):
                    problems[url] = found
                if url == known_invited:  # signed in, the invitation's button names it
                    button = page.get_by_role("button", name=accept)
                    expect(button).to_be_visible()
            if who == "newcomer":  # the sign-up for the invitation names it on its button
                page.locator("main a[href$='/sign-up/']").first.click()
                page.wait_for_url("**/sign-up/**")
                if found := watch.check(page.url):
                    problems[page.url] = found
                expect(page.get_by_role("button", name=create)).to_be_visible()
        finally:
            context.close()
    assert problems == {}, "\n".join(f"{u}: {p}" for u, p in problems.items())


def _email_width(browser: Any, html: str) -> int:
    """How wide the message is in a 360 px wide mail app."""
    context = browser.new_context(viewport={"width": 360, "height": 780})
    try:
        page = context.new_page()
        page.set_content(html)
        return int(page.evaluate("document.documentElement.scrollWidth"))
    finally:
        context.close()


def test_a_one_word_name_never_widens_an_email(
    _browser: Any, owner: Any, mailoutbox: list[Any]
) -> None:
    """The invitation, named after the organisation in its heading, text and button, and
    the owners' notices naming a key or the organisation: the words break in a 360 px
    wide mail app, the message is not wider (email/base.html)."""
    org = OrgFactory(owner=owner, name=ONE_WORD)
    member = Role.objects.get(tenant=org, key="member")
    invitation_create(tenant=org, email="new@example.com", role=member, acting_user=owner)
    [invitation] = [body for body, kind in mailoutbox[-1].alternatives if kind == "text/html"]
    now = timezone.now()
    url = "https://app.example.com/t/" + ONE_WORD.lower()
    notices = {
        "api/email/key_expiring": {
            "key_name": ONE_WORD,
            "key_prefix": "pt_live_abcd",
            "expires_at": now,
            "last_used_at": now,
        },
        "sso/email/certificate_ending": {"until": now, "expired": False, "metadata_url": url},
    }
    htmls = {"tenants/invitation": invitation}
    for template, values in notices.items():
        htmls[template] = email_render(
            template=template, context={"tenant_name": ONE_WORD, "url": url, **values}
        )[2]
    widths = {template: _email_width(_browser, html) for template, html in htmls.items()}
    assert all(ONE_WORD in html for html in htmls.values())
    assert widths == dict.fromkeys(htmls, 360)
