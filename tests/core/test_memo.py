"""`{% memo %}` (core/templatetags/memo.py) prints exactly what its block would render.

The header is kept per process, keyed on the values it reads. These tests change each of
those values between requests, with the memo warm from the requests before, and hold the
page to what the same page renders with every block rendered afresh; they post the
sign-out form the memo printed with CSRF checks on; and they check that no token is ever
stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.template import Context, engines
from django.test import Client
from django.utils import translation

from accounts.models import User
from core.templatetags import memo
from tenants.models import Membership, Role, Tenant
from tenants.services import membership_change_role, membership_remove
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.mfa.helpers import enable_totp
from tests.tenants.factories import OrgFactory, add_member

pytestmark = pytest.mark.django_db

_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value="|name="csrf-token" content=")[^"]*')


def _header(html: bytes) -> bytes:
    start, end = html.index(b"<header"), html.index(b"</header>") + len(b"</header>")
    return html[start:end]


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A way to render a page with every memo block rendered afresh (the reference)."""

    class Fresh:
        def get(self, client: Client, url: str) -> bytes:
            with monkeypatch.context() as patch:
                patch.setattr(memo.MemoNode, "render", lambda self, ctx: self.nodelist.render(ctx))
                response = client.get(url)
            assert response.status_code == 200, url
            return response.content

    yield Fresh()


def _same_page(client: Client, url: str, fresh: Any) -> bytes:
    """The page through the memo, after asserting it matches a fresh rendering but for
    the per-request CSRF tokens."""
    response = client.get(url)
    assert response.status_code == 200, url
    kept = response.content
    assert _TOKEN.sub(rb"\1", kept) == _TOKEN.sub(rb"\1", fresh.get(client, url))
    return kept


def test_the_header_follows_every_value_it_reads(
    owner: User, acme: Tenant, owner_client: Client, fresh: Any
) -> None:
    """Each change comes right after a visit to the same page, so the header it follows
    is in the memo: a value missing from the tag's list shows as the old header."""
    org_page, devices = f"/t/{acme.slug}/", "/account/sessions/"
    other = OrgFactory(owner=add_member(acme).user, name="Globex")
    add_member(other, owner, role_key="admin")
    mine = Membership.objects.get(tenant=other, user=owner)
    users, tenants = User.objects.filter(pk=owner.pk), Tenant.objects.filter(pk=acme.pk)

    def change_role() -> None:
        role = Role.objects.get(tenant=other, key="member")
        membership_change_role(tenant=other, membership=mine, role=role, acting_user=None)

    steps: list[tuple[str, Any, bytes, bytes]] = [
        (org_page, lambda: None, b"Globex", b""),
        (devices, lambda: None, b"Globex", b'aria-current="true"'),  # no tenant
        (org_page, lambda: users.update(name="Renamed Person"), b"Renamed Person", b""),
        (org_page, lambda: users.update(email="moved@example.com"), b"moved@example.com", b""),
        (devices, lambda: users.update(avatar=f"user-{owner.pk}/a.png"), b"/a.png", b""),
        (org_page, lambda: users.update(is_staff=True), b'href="/admin/"', b""),
        (org_page, lambda: tenants.update(name="Acme Renamed"), b"Acme Renamed", b""),
        (devices, lambda: tenants.update(logo=f"tenant-{acme.pk}/l.png"), b"/l.png", b""),
        (org_page, change_role, b">Member</span>", b">Admin</span>"),
        (
            org_page,
            lambda: membership_remove(tenant=other, membership=mine, acting_user=None),
            b"",
            b"Globex",
        ),
    ]
    for url, change, shown, gone in steps:
        owner_client.get(url)  # the header as it was, kept
        change()
        header = _header(_same_page(owner_client, url, fresh))
        assert shown in header and (not gone or gone not in header), (url, shown, gone)


def test_between_the_sign_in_steps_the_header_is_not_the_sign_in_pages(
    client: Client, fresh: Any
) -> None:
    """Someone half signed in (password right, code to come) was offered "Sign in" and
    "Get started" above the code form: that header, kept from the sign-in page, must not
    be the one shown, and the next signed-out page has its links back."""
    person = UserFactory()
    enable_totp(person)
    assert b"Get started" in _header(client.get("/auth/sign-in/").content)

    client.post("/auth/sign-in/", {"email": person.email, "password": DEFAULT_PASSWORD})
    between = _header(_same_page(client, "/auth/sign-in/verify/", fresh))

    assert b"Get started" not in between and b'href="/auth/sign-in/"' not in between
    assert b"Get started" in _header(_same_page(client, "/auth/sign-up/", fresh))


def test_a_kept_header_is_never_another_persons(acme: Tenant, fresh: Any) -> None:
    """Two members of one workspace, same language: each sees their own name and menu."""
    alice = add_member(acme, User.objects.create_user(email="a@example.com", name="Alice")).user
    bob = add_member(acme, User.objects.create_user(email="b@example.com", name="Bob")).user
    pages = {}
    for person in (alice, bob, alice):
        client = Client()
        client.force_login(person)
        pages[person.email] = _header(_same_page(client, f"/t/{acme.slug}/", fresh))
    assert b"a@example.com" in pages["a@example.com"] and b"Bob" not in pages["a@example.com"]
    assert b"b@example.com" in pages["b@example.com"] and b"Alice" not in pages["b@example.com"]


def test_the_sign_out_form_carries_this_requests_valid_token(owner: User, acme: Tenant) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    client.get(f"/t/{acme.slug}/")  # the header is kept from here on
    html = client.get(f"/t/{acme.slug}/").content
    tokens = set(re.findall(rb'name="csrfmiddlewaretoken" value="([^"]+)"', _header(html)))
    meta = re.search(rb'name="csrf-token" content="([^"]+)"', html)
    assert meta is not None and tokens == {meta.group(1)}  # the request's own token

    response = client.post("/auth/sign-out/", {"csrfmiddlewaretoken": tokens.pop().decode()})

    assert response.status_code == 302
    assert client.get(f"/t/{acme.slug}/").status_code == 302  # signed out


def test_no_token_is_ever_stored(owner_client: Client, acme: Tenant) -> None:
    html = owner_client.get(f"/t/{acme.slug}/").content
    token = re.search(rb'name="csrf-token" content="([^"]+)"', html).group(1).decode()  # type: ignore[union-attr]
    stored = [h for node in memo._NODES for h in node.store.values()]

    assert stored and all(token not in h for h in stored)
    assert any(memo._CSRF_SLOT in h for h in stored)
    assert memo._CSRF_SLOT.encode() not in html


def _compiled(source: str) -> tuple[Any, memo.MemoNode]:
    """A template with `{% load memo %}` prepended, and its (first) memo node."""
    template = engines["django"].from_string("{% load memo %}" + source)
    return template, next(n for n in template.template.nodelist if isinstance(n, memo.MemoNode))


def _render(source: str, **values: Any) -> str:
    return _compiled(source)[0].render(values)


def test_the_language_is_part_of_the_key() -> None:
    template = engines["django"].from_string(
        "{% load i18n memo %}{% memo 1 %}{% translate 'Sign out' %}{% endmemo %}"
    )
    with translation.override("de"):
        german = template.render({"csrf_token": "t"})
    english = template.render({"csrf_token": "t"})

    assert (german, english) == ("Abmelden", "Sign out")


def test_a_store_keeps_at_most_its_size_least_recently_used_dropped(settings: Any) -> None:
    template, node = _compiled("{% memo n %}{{ pad }}{{ n }}{% endmemo %}")
    settings.TEMPLATE_MEMO_MAX_MB = 1  # one million characters: three blocks of 300,000
    pad = "x" * 299_999

    def render(n: int) -> str:
        return template.render({"n": n, "pad": pad, "csrf_token": "t"})

    assert [render(n) for n in range(3)] == [pad + str(n) for n in range(3)]
    render(0)  # used again: now the most recent
    assert render(3) == pad + "3"

    assert list(node.store) == [("en", 2), ("en", 0), ("en", 3)]  # 1, the least recent, gone
    assert node.chars == 900_000


def test_a_size_of_zero_turns_the_memo_off(settings: Any) -> None:
    settings.TEMPLATE_MEMO_MAX_MB = 0
    template, node = _compiled("{% memo 1 %}{{ x }}{% endmemo %}")

    outputs = [template.render({"x": x, "csrf_token": "t"}) for x in ("a", "b")]

    assert outputs == ["a", "b"] and not node.store


def test_values_that_cannot_be_keys_render_the_block_each_time() -> None:
    template, node = _compiled("{% memo d %}{{ d.a }}{% csrf_token %}{% endmemo %}")

    first = template.render({"d": {"a": 1}, "csrf_token": "tok1"})
    second = template.render({"d": {"a": 2}, "csrf_token": "tok2"})

    assert first.startswith("1<input") and 'value="tok1"' in first
    assert second.startswith("2<input") and 'value="tok2"' in second
    assert not node.store


@pytest.mark.filterwarnings("ignore:Calling format_html:DeprecationWarning")
def test_without_a_token_the_block_is_rendered_as_it_is() -> None:
    """Outside a request (an email, a test's Context) there is nothing to substitute."""
    source = "{% memo 1 %}[{% csrf_token %}]{% endmemo %}"
    assert _render(source) == "[]"
    assert _render(source, csrf_token="NOTPROVIDED") == "[]"
    assert _compiled(source)[0].template.render(Context({"csrf_token": "abc"})) == (
        '[<input type="hidden" name="csrfmiddlewaretoken" value="abc">]'
    )


def test_a_changed_setting_forgets_what_was_kept(settings: Any) -> None:
    template, node = _compiled("{% memo 1 %}x{% endmemo %}")
    template.render({"csrf_token": "t"})
    assert node.store

    settings.PRODUCT_NAME = "Renamed"

    assert not node.store and node.chars == 0
