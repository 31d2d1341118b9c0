"""In a real browser: a session revoked from elsewhere, then every htmx action of a page.

Whatever the action (a select that saves, a form, a file chosen for a preview, a filter),
the browser ends on the sign-in page with `next` back to the page, and no answer that
htmx could swap into the page is a whole page (`<html`). The actions are read from the
page itself, so one added later is covered without editing this test."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from mfa.selectors import two_factor_status
from mfa.services import totp_remove
from sessions_app.models import Session
from sessions_app.services import session_revoke_all_for_user
from tests.core.browser import Workspace, sign_in, workspace
from tests.mfa.helpers import enable_totp
from tests.uploads.conftest import make_image
from uploads import images
from uploads.services import avatar_update, logo_update

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

# Every element htmx sends requests from, as [kind, selector index, action URL, trigger].
FIND_ACTIONS = """() => {
  const found = [];
  document.querySelectorAll("main [hx-get], main [hx-post]").forEach((el, index) => {
    el.setAttribute("data-test-action", String(index));
    const url = el.getAttribute("hx-post") || el.getAttribute("hx-get");
    const trigger = el.getAttribute("hx-trigger") || (el.tagName === "FORM" ? "submit" : "click");
    const kind = el.tagName === "INPUT" && el.type === "file" ? "file" : el.tagName.toLowerCase();
    found.push([kind, String(index), url, trigger]);
  });
  return found;
}"""


@dataclass
class Page:
    name: str
    person: Callable[[Workspace], Any]
    url: Callable[[Workspace], str]
    prepare: Callable[[Workspace], None] = lambda w: None
    signed_in: Callable[[Workspace], None] = lambda w: None  # after signing in
    expected: set[str] = field(default_factory=set)  # action URLs (ids as <id>) that must be found


def _another_device(w: Workspace) -> None:
    Client().force_login(w.owner)


def _no_authenticator_app(w: Workspace) -> None:
    """Off while signing in (it would ask for a code), on once signed in."""
    if two_factor_status(user=w.owner).enabled:
        totp_remove(user=w.owner, acting_user=w.owner)


def _png() -> images.NormalizedImage:
    png = make_image("PNG", (64, 64))
    return images.image_normalize(io.BytesIO(png), size=len(png))


def _pictures(w: Workspace) -> None:
    avatar_update(user=w.owner, image=_png())
    logo_update(tenant=w.org, image=_png(), acting_user=w.owner)


PAGES = [
    Page(
        "overview",
        lambda w: w.owner,
        lambda w: w.url(""),
        expected={"/t/acme/checklist/dismiss/"},
    ),
    Page(
        "members as the owner",
        lambda w: w.owner,
        lambda w: w.url("members/"),
        expected={
            "/t/acme/members/<id>/role/",
            "/t/acme/members/<id>/billing/",
            "/t/acme/members/<id>/primary/",
            "/t/acme/members/<id>/remove/",
            "/t/acme/members/invites/",
            "/t/acme/members/invites/<id>/resend/",
            "/t/acme/members/invites/<id>/cancel/",
        },
    ),
    Page(
        "members as an admin",
        lambda w: w.admin.user,
        lambda w: w.url("members/"),
        expected={"/t/acme/members/leave/"},
    ),
    Page(
        "teams",
        lambda w: w.owner,
        lambda w: w.url("teams/"),
        expected={"/t/acme/teams/<id>/members/", "/t/acme/teams/<id>/members/<id>/remove/"},
    ),
    Page(
        "devices",
        lambda w: w.owner,
        lambda w: "/account/sessions/",
        prepare=_another_device,
        expected={"/account/sessions/<id>/revoke/", "/account/sessions/revoke-others/"},
    ),
    Page(
        "workspace settings",
        lambda w: w.owner,
        lambda w: w.url("settings/"),
        prepare=_pictures,
        expected={
            "/t/acme/files/logo/",
            "/t/acme/files/logo/preview/",
            "/t/acme/files/logo/remove/",
        },
    ),
    Page(
        "account",
        lambda w: w.owner,
        lambda w: "/account/",
        prepare=_pictures,
        expected={"/account/avatar/", "/account/avatar/preview/", "/account/avatar/remove/"},
    ),
    Page(
        "security",
        lambda w: w.owner,
        lambda w: "/account/security/",
        prepare=_no_authenticator_app,
        signed_in=lambda w: enable_totp(w.owner),
        expected={"/account/security/authenticator/remove/"},
    ),
    Page(
        "audit log",
        lambda w: w.owner,
        lambda w: w.url("audit/"),
        expected={"/t/acme/audit/"},
    ),
]


def _pattern(url: str) -> str:
    return re.sub(r"/\d+/", "/<id>/", url)


def _trigger(page: Any, kind: str, index: str, trigger: str, tmp_path: Any) -> None:
    element = page.locator(f'[data-test-action="{index}"]')
    if kind == "file":
        picture = tmp_path / "picture.png"
        picture.write_bytes(make_image("PNG", (64, 64)))
        element.set_input_files(str(picture))
    elif "change" in trigger:
        select = element.locator("select").first
        current = select.input_value()
        values = select.locator("option").evaluate_all("options => options.map(o => o.value)")
        select.select_option(next(v for v in values if v != current))
    elif kind == "form":
        # As sent (an empty required field is the server's to refuse, after sign-in).
        element.evaluate("form => { form.noValidate = true; form.requestSubmit(); }")
        confirm = page.locator("#confirm-dialog-accept")
        if page.locator("#confirm-dialog[open]").count():
            confirm.click()
    else:
        element.click()


@pytest.mark.parametrize("case", PAGES, ids=[p.name for p in PAGES])
def test_every_htmx_action_after_the_session_ends_goes_to_sign_in_and_swaps_no_page(
    page: Any, case: Page, tmp_path: Any
) -> None:
    w = workspace()
    person = case.person(w)
    url = case.url(w)
    case.prepare(w)
    htmx_answers: list[tuple[str, int, str]] = []

    def record(route: Any) -> None:
        """Every htmx answer, read before the page gets it (it may navigate away)."""
        if route.request.headers.get("hx-request") != "true":
            route.continue_()
            return
        answer = route.fetch()
        htmx_answers.append((route.request.url, answer.status, answer.text()))
        route.fulfill(response=answer)

    page.route("**/*", record)
    sign_in(page, person.email)
    case.signed_in(w)
    page.goto(url)
    actions = page.evaluate(FIND_ACTIONS)
    by_url = {(_pattern(a[2]), a[3]): a for a in actions}  # one of each kind of action
    assert case.expected <= {pattern for pattern, _ in by_url}

    for n, (kind, _index, action_url, trigger) in enumerate(by_url.values()):
        if n:  # signed out by the previous round: sign in again, back to the page
            case.prepare(w)
            sign_in(page, person.email)
            case.signed_in(w)
            page.goto(url)
        index = next(
            a[1]
            for a in page.evaluate(FIND_ACTIONS)
            if (_pattern(a[2]), a[3]) == (_pattern(action_url), trigger)
        )
        session_revoke_all_for_user(user=person, reason=Session.RevokedReason.SIGNED_OUT)

        _trigger(page, kind, index, trigger, tmp_path)

        page.wait_for_url(f"**/auth/sign-in/?next={quote(url, safe='')}", timeout=10_000)
        assert page.locator("header").count() == 1, action_url
        assert page.locator("input[name=password]").count() == 1, action_url

    assert htmx_answers, "no htmx request was sent"
    for answered, status, body in htmx_answers:
        assert "<html" not in body.lower(), (answered, status)
