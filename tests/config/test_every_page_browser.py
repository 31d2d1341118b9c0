"""The quality bar, page by page: every page of the app, opened in Chromium by each kind
of person at desktop (1280 × 800) and phone (390 × 844) width, is no wider than the
window, has no links, buttons or fields covering one another, logs no console error,
breaks no Content-Security-Policy rule, and has no serious or critical axe-core
violation; and, for the visitor, a newcomer and the owner, the same in German and in
Arabic at 360 px.

Each (person, width) pair is one test that walks all of that person's pages in one
signed-in browser and reports every failing page at once. The page list comes from
tests/config/crawl_world.py; `test_every_page_route_is_crawled` fails when a route that
answers GET is added without a place in that list.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import resolve

from accounts.models import User
from tests.config.crawl_world import PERSONAS, Visit, build_world
from tests.config.pagecheck import PageWatch
from tests.config.urlcrawl import every_url
from tests.core.browser import sign_in

WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

# Routes that answer GET but are not pages a person reads (each says why).
NOT_PAGES = {
    "healthz": "JSON for the load balancer",
    "readyz": "JSON for the load balancer",
    "accounts:export": "a JSON download of the user's data",
    "tenant:audit-export": "a CSV download of the audit log (tests/tenants/test_audit_export.py)",
    "files:download": "the file itself",
    "uploads:serve": "the file itself",
    "sso:saml-metadata": "SAML SP metadata XML, read by the organisation's IdP",
    "sso:saml-finish": (
        "reached only by the SAML ACS's redirect; its pages are sso/refused.html (crawled as "
        "sso:callback), the re-authentication's redirect and sso/test_result.html "
        "(tests/sso/test_saml_browser.py, tests/sso/test_saml_reauth.py)"
    ),
    "sso:saml-continue": (
        "reached only by the SAML ACS's redirect after an IdP-initiated Response, with "
        "the cookie it sets (tests/sso/test_saml_idp_initiated.py, "
        "tests/sso/test_saml_idp_initiated_browser.py); without it, sso/refused.html"
    ),
    "tenant:invite-create": "a redirect to the members page's invitation form (no-JS back link)",
    "tenant:team-member-suggest": (
        "the <option>s a team card's add field asks for as people type "
        "(tests/tenants/test_team_pages_browser.py)"
    ),
    "tenant:owner-candidates": (
        "the <option>s the new owner's field asks for as people type in a large "
        "organisation (tests/tenants/test_ownership_transfer_browser.py)"
    ),
    "set_language": "Django's language switch: a redirect to `next` (the footer picker posts)",
    "api.views.not_found": (
        "the API's 404 problem (JSON) at /api/ and /api/v1/ (tests/api/test_errors.py)"
    ),
    **{
        f"scim-api:{name}": "SCIM JSON for identity providers (tests/scim)"
        for name in (
            "service-provider-config",
            "resource-types",
            "resource-type",
            "schemas",
            "schema",
            "users",
            "user",
            "groups",
            "group",
            "search",
            "users-search",
            "groups-search",
            "unknown",
        )
    },
}

# URL namespaces that are not pages at all.
NOT_PAGE_NAMESPACES = {
    "api-v1": "the JSON API: tests/api/test_openapi.py sends every operation a request",
}


def _personal_links(page: Any, slug: str) -> list[Visit]:
    """The personal workspace's own pages, as its dashboard links to them: which tabs
    make sense for one person is the page's decision, and each one shown must pass."""
    hrefs = page.eval_on_selector_all(
        f"a[href^='/t/{slug}/']", "links => links.map(a => a.getAttribute('href'))"
    )
    return [Visit(href.split("#")[0]) for href in dict.fromkeys(hrefs)]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_meets_the_quality_bar(
    persona: str, width: str, _browser: Any, live_server: Any, mailoutbox: list[Any]
) -> None:
    _crawl(_browser, live_server, mailoutbox, persona=persona, viewport=WIDTHS[width])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["de", "ar"])
@pytest.mark.parametrize("persona", ["anonymous", "newcomer", "owner"])
def test_every_page_meets_the_quality_bar_in_german_and_arabic_on_a_small_phone(
    persona: str, language: str, _browser: Any, live_server: Any, mailoutbox: list[Any]
) -> None:
    """German's long words and Arabic's right-to-left layout, 360 px wide: the people
    read their chosen language, the visitor their browser's."""
    _crawl(
        _browser,
        live_server,
        mailoutbox,
        persona=persona,
        viewport={"width": 360, "height": 780},
        language=language,
    )


def _crawl(
    browser: Any,
    live_server: Any,
    outbox: list[Any],
    *,
    persona: str,
    viewport: dict[str, int],
    language: str = "",
) -> None:
    """Walk every page `persona` can open and fail with each page's problems at once."""
    world = build_world(outbox=outbox)
    if language:
        User.objects.filter(pk__in=[p.pk for p in world.people.values()]).update(language=language)
    # The visitor's pages follow the browser's language; the people's their own choice
    # (they sign in through the English form first).
    locale = language if language and persona == "anonymous" else "en-US"
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale=locale)
    context.set_default_timeout(10_000)
    problems: dict[str, list[str]] = {}
    seen: set[str] = set()
    try:
        page = context.new_page()
        watch = PageWatch.attach(page)
        if persona != "anonymous":
            sign_in(page, world.people[persona].email)
        if language:
            page.goto("/")
            lang = page.evaluate("document.documentElement.lang")
            assert lang == language, f"the pages are in {lang!r}, not {language!r}"
        visits = world.visits(persona)
        while visits:
            visit = visits.pop(0)
            if visit.url in seen:
                continue
            seen.add(visit.url)
            if found := watch.check(visit.url, status=visit.status):
                problems[visit.url] = found
            if persona == "newcomer" and visit.url == f"/t/{world.personal_slug(persona)}/":
                visits += _personal_links(page, world.personal_slug(persona))
    finally:
        context.close()

    if problems:
        where = f"{persona}, {viewport['width']} px" + (f", {language}" if language else "")
        report = "\n".join(
            f"{url} ({where}):\n" + "\n".join(f"  - {p}" for p in found)
            for url, found in problems.items()
        )
        pytest.fail(f"{len(problems)} of {len(seen)} pages fail:\n{report}", pytrace=False)


@pytest.mark.django_db(transaction=True)  # the invitation email goes out on commit
def test_every_page_route_is_crawled(client: Any, settings: Any, mailoutbox: list[Any]) -> None:
    """A route that answers GET as anything but 405 is a page (or listed in NOT_PAGES);
    the crawl must visit it. The Django admin is Django's own and left out."""
    settings.RATELIMIT_ENABLED = False
    world = build_world(outbox=mailoutbox)
    crawled = {
        resolve(visit.url.split("?")[0]).view_name
        for persona in PERSONAS
        for visit in world.visits(persona)
        if visit.status != 404
    }
    client.force_login(world.people["owner"])
    answering_get = {
        resolve(url).view_name
        for url in every_url(tenant_slug=world.org.slug)
        if not url.startswith("/admin/")
        and resolve(url).namespace not in NOT_PAGE_NAMESPACES
        and client.get(url).status_code != 405
    }

    assert answering_get - crawled - set(NOT_PAGES) == set()
    assert set(NOT_PAGES) <= answering_get  # no stale excuses


_BAD_PAGE = """<!doctype html><html lang="en"><head><title>Bad</title>
<link rel="stylesheet" href="/bad.css"></head><body>
<header><a href="/" class="brand">A product name too long</a>
<a href="/in" class="sign-in">Sign in</a></header><main>
<h1>A page with one of each fault</h1>
<img src="/pixel.png">
<pre>{}</pre>
<div style="color: red">an inline style</div>
<script>document.title = "inline script"</script>
<script src="/boom.js"></script>
</main></body></html>""".replace("{}", "wider-than-any-window-" * 40)

_GOOD_PAGE = """<!doctype html><html lang="en"><head><title>Good</title></head><body><main>
<h1>A page with nothing wrong</h1><p>Short text.</p></main></body></html>"""


@pytest.mark.browser
def test_the_page_check_reports_each_kind_of_fault(_browser: Any) -> None:
    """The crawl is only as good as its checks: each must fire on a page that has the fault
    (served with the app's kind of policy), and none on a clean page."""
    context = _browser.new_context(base_url="http://pagecheck.test", viewport=WIDTHS["phone"])
    policy = {"Content-Security-Policy": "default-src 'self'; style-src 'self'"}
    context.route(
        "**/bad/", lambda r: r.fulfill(body=_BAD_PAGE, headers=policy, content_type="text/html")
    )
    context.route(
        "**/good/", lambda r: r.fulfill(body=_GOOD_PAGE, headers=policy, content_type="text/html")
    )
    context.route("**/pixel.png", lambda r: r.fulfill(status=404))
    context.route(  # the header's second link drawn over the first
        "**/bad.css",
        lambda r: r.fulfill(
            body=".sign-in { margin-inline-start: -3em; }", content_type="text/css"
        ),
    )
    context.route(
        "**/boom.js",
        lambda r: r.fulfill(body='console.error("boom"); null.x;', content_type="text/javascript"),
    )
    try:
        watch = PageWatch.attach(context.new_page())
        bad = "\n".join(watch.check("/bad/"))
        good = watch.check("/good/")
    finally:
        context.close()

    assert 'overlap: a "A product name too long" and a "Sign in" by ' in bad
    assert 'px wide in a 390px window: text "wider-than-any-window' in bad
    assert "CSP: style-src-attr refused inline" in bad
    assert "CSP: script-src-elem refused inline" in bad
    assert "console error: boom" in bad
    assert "uncaught: Cannot read properties of null" in bad
    assert "console error: Failed to load resource" in bad  # the missing image
    assert "axe critical image-alt" in bad
    assert good == []
