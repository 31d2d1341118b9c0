"""In a real browser, at desktop and phone width: where a page repeats an action for
each row (Delete, Revoke, Verify, Add member…), each button names its row too, so a
screen reader's list of buttons is not "Delete, Delete, Delete". The visible word starts
the name (what speech input users say)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.core.files.base import ContentFile

from sso.services_domains import domain_add
from tests.api.conftest import make_key
from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in
from tests.tenants.factories import add_member, make_team
from uploads.services import upload_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = """
els => els.filter(el => el.offsetParent !== null)
  .map(el => (el.getAttribute('aria-label') || el.textContent).trim().replace(/\\s+/g, ' '))
"""


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_repeated_row_actions_name_their_row(page: Any, owner: Any, acme: Any, width: int) -> None:
    make_team(acme, "Design")
    make_team(acme, "Sales")
    for domain in ("acme-one.example", "acme-two.example"):
        domain_add(tenant=acme, domain=domain, acting_user=owner)
    make_key(acme, owner, name="CI deploy")
    make_key(acme, owner, name="Nightly export")
    add_member(acme, role_key="owner")
    add_member(acme, role_key="owner")
    for name in ("notes.txt", "plan.txt"):
        upload_create(
            tenant=acme,
            uploaded_by=owner,
            file=ContentFile(b"notes", name=name),
            extension="txt",
            content_type="text/plain",
        )
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email)

    for path, action in [
        ("teams/", "Delete"),
        ("files/", "Delete"),
        ("settings/domains/", "Verify"),
        ("settings/domains/", "Remove"),
        ("settings/api-keys/", "Revoke"),
        ("members/", "Make primary"),
    ]:
        assert watch.check(f"/t/{acme.slug}/{path}") == []
        names = page.locator("main button, main a.btn").evaluate_all(NAMES)
        repeated = [n for n in names if n.startswith(action)]

        assert len(repeated) >= 2, (path, names)
        assert Counter(repeated).most_common(1)[0][1] == 1, (path, repeated)
