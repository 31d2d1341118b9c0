"""The members page shows one page of members at a time; the rules behind each row's
controls still count the whole organisation, and a row's form comes back to its page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tenants.models import Membership
from tenants.views.members import PAGE_SIZE
from tests.accounts.factories import UserFactory
from tests.tenants.factories import add_member
from tests.tenants.test_queries import grow

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
ROW = re.compile(r'<tr id="member-(\d+)"')


def _rows(client: Any, url: str) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200, url
    return [int(pk) for pk in ROW.findall(response.content.decode())]


def _listed_order(acme: Any) -> list[int]:
    """Every member of the org in the page's order (owners first, then by name)."""
    return list(
        Membership.objects.filter(tenant=acme)
        .order_by("-role__key", "user__name", "user__email", "pk")
        .values_list("pk", flat=True)
    )


def test_each_member_is_on_exactly_one_page(owner_client: Any, acme: Any) -> None:
    grow(acme, 2 * PAGE_SIZE + 10)  # with the owner: three pages, the last of 11
    url = f"/t/{acme.slug}/members/"

    pages = [_rows(owner_client, f"{url}?page={n}") for n in (1, 2, 3)]

    assert [len(p) for p in pages] == [PAGE_SIZE, PAGE_SIZE, 11]
    assert [pk for p in pages for pk in p] == _listed_order(acme)
    html = owner_client.get(f"{url}?page=2").content.decode()
    assert "Page 2 of 3 · 111 members" in html
    assert f'href="{url}?page=1" rel="prev"' in html and f'href="{url}?page=3" rel="next"' in html


@pytest.mark.parametrize(
    ("asked", "shown"),
    [("", 1), ("abc", 1), ("9" * 5000, 1), ("0", 2), ("-1", 2), ("99", 2), (str(2**70), 2)],
)
def test_an_unreadable_page_number_shows_the_first_page_one_out_of_range_the_last(
    owner_client: Any, acme: Any, asked: str, shown: int
) -> None:
    grow(acme, PAGE_SIZE)  # with the owner: two pages
    first, second = _listed_order(acme)[:PAGE_SIZE], _listed_order(acme)[PAGE_SIZE:]
    rows = _rows(owner_client, f"/t/{acme.slug}/members/?page={asked}")
    assert rows == (first if shown == 1 else second)


def test_a_small_organisation_shows_no_page_links(owner_client: Any, acme: Any) -> None:
    grow(acme, PAGE_SIZE - 1)  # with the owner: exactly one full page
    html = owner_client.get(f"/t/{acme.slug}/members/").content.decode()
    assert len(ROW.findall(html)) == PAGE_SIZE
    assert 'data-testid="members-pagination"' not in html


def test_the_last_billing_contact_rule_counts_members_on_other_pages(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    """The owner (page 1) may stop being a billing contact when a member on page 2 is
    one too; counted over page 1 alone, the owner would look like the last one."""
    grow(acme, PAGE_SIZE + 5)
    later = Membership.objects.get(pk=_listed_order(acme)[-1])
    mine = Membership.objects.get(tenant=acme, user=owner)
    assert mine.is_billing_contact
    refusal = "A workspace needs at least one billing contact."
    assert refusal in owner_client.get(f"/t/{acme.slug}/members/").content.decode()

    later.is_billing_contact = True
    later.save(update_fields=["is_billing_contact"])

    first = owner_client.get(f"/t/{acme.slug}/members/").content.decode()
    assert refusal not in first
    assert f'action="/t/{acme.slug}/members/{mine.pk}/billing/"' in first


def test_a_row_changed_on_a_later_page_answers_with_rows_of_that_page_only(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    """The htmx answer swaps related rows (owners, contacts) out of band: only those on
    the page the form was sent from, the others are not in the browser."""
    grow(acme, PAGE_SIZE + 5)
    order = _listed_order(acme)
    target = order[-1]  # on page 2
    owners_row = Membership.objects.get(tenant=acme, user=owner).pk  # on page 1
    admin = acme.roles.get(key="admin")

    on_page_2 = owner_client.post(
        f"/t/{acme.slug}/members/{target}/role/", {"role": admin.pk, "page": "2"}, **HTMX
    ).content.decode()
    on_page_1 = owner_client.post(
        f"/t/{acme.slug}/members/{order[1]}/role/", {"role": admin.pk, "page": "1"}, **HTMX
    ).content.decode()

    assert [int(pk) for pk in ROW.findall(on_page_2)] == [target]
    assert 'name="page" value="2"' in on_page_2  # the row's forms keep their page
    assert f'<tr id="member-{owners_row}" hx-swap-oob="true">' in on_page_1
    assert Membership.objects.get(pk=target).role == admin


@pytest.mark.parametrize(
    ("sent", "location"), [("3", "?page=3"), ("1", ""), ("x", ""), ("9" * 5000, "")]
)
def test_without_javascript_a_row_form_returns_to_its_page(
    owner_client: Any, acme: Any, sent: str, location: str
) -> None:
    grow(acme, 2 * PAGE_SIZE + 10)
    target = _listed_order(acme)[-1]
    admin = acme.roles.get(key="admin")
    response = owner_client.post(
        f"/t/{acme.slug}/members/{target}/role/", {"role": admin.pk, "page": sent}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/t/{acme.slug}/members/{location}"


def test_every_row_form_carries_its_page(owner_client: Any, acme: Any) -> None:
    grow(acme, PAGE_SIZE + 5)
    html = owner_client.get(f"/t/{acme.slug}/members/?page=2").content.decode()
    row_form = r'<form method="post" action="/t/[^"]+/members/\d+/.*?</form>'
    forms = re.findall(row_form, html, re.S)
    assert forms and all('name="page" value="2"' in form for form in forms)


def test_a_rows_role_menu_offers_only_the_roles_the_viewer_may_hand_out(
    client: Any, acme: Any
) -> None:
    """An admin was offered Owner (it even asked "Make … an owner?") and Billing admin,
    both refused on saving; an owner is offered every role."""
    admin = add_member(acme, role_key="admin")
    member = add_member(acme)
    menu = re.compile(rf'<select id="role-{member.pk}".*?</select>', re.S)
    owner = acme.memberships.get(role__key="owner").user

    def offered(user: Any) -> set[str]:
        client.force_login(user)
        html = menu.search(client.get(f"/t/{acme.slug}/members/").content.decode())
        assert html is not None
        return set(re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', html.group(0)))

    assert offered(admin.user) == {"Admin", "Member"}
    assert offered(owner) == {"Owner", "Admin", "Billing admin", "Member"}


def test_each_rows_remove_button_is_named_with_its_person(owner_client: Any, acme: Any) -> None:
    """A screen reader's list of buttons read "Remove" once per row; the visible word
    stays, and the name starts with it (label in name)."""
    add_member(acme, UserFactory(name="Bea First"))

    html = owner_client.get(f"/t/{acme.slug}/members/").content.decode()

    assert 'aria-label="Remove Bea First">Remove</button>' in html
