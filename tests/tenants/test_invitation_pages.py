"""The invite panel shows the open invitations a page at a time (`?invites=N`), newest
first, beside the members list's own pages; resending or cancelling comes back to the
page it was done on, with htmx and without."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.htmx import toasts_of
from tenants.invitations import invitation_create
from tenants.models import Invitation, Role
from tenants.views.members import INVITES_PAGE_SIZE, PAGE_SIZE
from tests.billing.factories import subscribe
from tests.tenants.test_queries import grow

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
INVITE_ROW = re.compile(r'<tr id="invite-(\d+)"')


@pytest.fixture(autouse=True)
def _unlimited(billing_on: Any, acme: Any) -> None:
    """Business has no member cap: the plan where hundreds of invitations can be open
    (the others count them against a cap of 5 or 100 seats)."""
    subscribe(acme, "business")


def _invite(acme: Any, owner: Any, n: int) -> list[int]:
    """n open invitations, through the service; their ids newest first."""
    role = Role.objects.get(tenant=acme, key="member")
    for i in range(n):
        invitation_create(tenant=acme, email=f"guest{i}@example.com", role=role, acting_user=owner)
    return list(
        Invitation.objects.filter(tenant=acme)
        .order_by("-sent_at", "-pk")
        .values_list("pk", flat=True)
    )


def _invite_rows(html: str) -> list[int]:
    return [int(pk) for pk in INVITE_ROW.findall(html)]


def test_each_open_invitation_is_on_exactly_one_page_newest_first(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    newest_first = _invite(acme, owner, 2 * INVITES_PAGE_SIZE + 5)
    url = f"/t/{acme.slug}/members/"

    pages = [owner_client.get(f"{url}?invites={n}").content.decode() for n in (1, 2, 3)]

    assert [_invite_rows(html) for html in pages] == [
        newest_first[:INVITES_PAGE_SIZE],
        newest_first[INVITES_PAGE_SIZE : 2 * INVITES_PAGE_SIZE],
        newest_first[2 * INVITES_PAGE_SIZE :],
    ]
    assert all(f'data-testid="pending-count">{len(newest_first)}<' in html for html in pages)
    assert "Page 2 of 3 · 45 invitations" in pages[1]
    assert f'href="{url}?invites=1#invite-panel" rel="prev"' in pages[1]
    assert f'href="{url}?invites=3#invite-panel" rel="next"' in pages[1]
    unreadable = owner_client.get(f"{url}?invites=x").content.decode()
    assert _invite_rows(unreadable) == newest_first[:INVITES_PAGE_SIZE]
    past_the_end = owner_client.get(f"{url}?invites=99").content.decode()
    assert _invite_rows(past_the_end) == newest_first[2 * INVITES_PAGE_SIZE :]


def test_a_few_invitations_need_no_pages(owner_client: Any, acme: Any, owner: Any) -> None:
    _invite(acme, owner, 3)
    html = owner_client.get(f"/t/{acme.slug}/members/").content.decode()
    assert len(_invite_rows(html)) == 3 and 'data-testid="invites-pagination"' not in html


def test_each_lists_links_keep_the_other_lists_page(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    grow(acme, PAGE_SIZE + 5)  # two pages of members
    _invite(acme, owner, 2 * INVITES_PAGE_SIZE + 5)  # three of invitations

    url = f"/t/{acme.slug}/members/"
    html = owner_client.get(f"{url}?page=2&invites=2").content.decode()

    assert f'href="{url}?page=2&amp;invites=3#invite-panel" rel="next"' in html
    assert f'href="{url}?invites=2&amp;page=1" rel="prev"' in html  # the members list's link
    assert (
        '<input type="hidden" name="page" value="2"><input type="hidden" name="invites" value="2">'
        in html
    )


def test_cancelling_without_javascript_comes_back_to_the_same_page(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    newest_first = _invite(acme, owner, 2 * INVITES_PAGE_SIZE + 5)
    target = newest_first[INVITES_PAGE_SIZE]  # the first row of page 2

    response = owner_client.post(
        f"/t/{acme.slug}/members/invites/{target}/cancel/", {"page": "1", "invites": "2"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/t/{acme.slug}/members/?invites=2#invite-panel"
    assert Invitation.objects.get(pk=target).status == "cancelled"
    page = owner_client.get(response["Location"].split("#")[0]).content.decode()
    assert _invite_rows(page) == newest_first[INVITES_PAGE_SIZE + 1 : 2 * INVITES_PAGE_SIZE + 1]
    assert "The invitation to guest" in page and "was cancelled" in page


def test_with_htmx_the_panel_comes_back_on_the_same_page(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    newest_first = _invite(acme, owner, 2 * INVITES_PAGE_SIZE + 1)
    last = newest_first[-1]  # alone on page 3

    response = owner_client.post(
        f"/t/{acme.slug}/members/invites/{last}/cancel/", {"page": "1", "invites": "3"}, **HTMX
    )
    panel = response.content.decode()

    # Page 3 is gone with it: the panel shows the last page there is; a toast says what happened.
    assert _invite_rows(panel) == newest_first[INVITES_PAGE_SIZE : 2 * INVITES_PAGE_SIZE]
    [said] = toasts_of(response)
    assert "was cancelled; its link no longer works." in said["message"]
    assert "was cancelled" not in panel
    assert f'data-testid="pending-count">{2 * INVITES_PAGE_SIZE}<' in panel

    resend = owner_client.post(
        f"/t/{acme.slug}/members/invites/{newest_first[0]}/resend/", {"invites": "2"}, **HTMX
    ).content.decode()
    assert _invite_rows(resend)[0] == newest_first[INVITES_PAGE_SIZE]  # still page 2


def test_the_panel_costs_the_same_queries_with_3_or_45_invitations(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    url = f"/t/{acme.slug}/members/"
    _invite(acme, owner, 3)
    owner_client.get(url)
    with CaptureQueriesContext(connection) as few:
        owner_client.get(url)
    Invitation.objects.filter(tenant=acme).delete()
    _invite(acme, owner, 2 * INVITES_PAGE_SIZE + 5)
    with CaptureQueriesContext(connection) as many:
        html = owner_client.get(f"{url}?invites=2").content.decode()
    assert len(_invite_rows(html)) == INVITES_PAGE_SIZE
    assert len(many) == len(few)


def test_a_new_invitation_shows_the_first_page_and_keeps_the_members_page(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    _invite(acme, owner, 2 * INVITES_PAGE_SIZE + 5)
    role = Role.objects.get(tenant=acme, key="member")

    response = owner_client.post(
        f"/t/{acme.slug}/members/invites/",
        {"email": "newest@example.com", "role": role.pk, "page": "2", "invites": "3"},
        **HTMX,
    )
    panel = response.content.decode()

    newest = Invitation.objects.get(email="newest@example.com")
    assert _invite_rows(panel)[0] == newest.pk
    assert f'href="/t/{acme.slug}/members/?page=2&amp;invites=2#invite-panel" rel="next"' in panel
    assert toasts_of(response)[0]["message"].startswith("Invitation sent to newest@example.com")
