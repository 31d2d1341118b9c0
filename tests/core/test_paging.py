"""core.paging: the page Django's paginator would give, with totals over the whole list,
in one query for any page that exists."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum

from accounts.models import User
from core.paging import page_with_totals

pytestmark = pytest.mark.django_db

NUMBERS = [None, "", "x", "1.5", "9" * 5000, "0", "-3", "1", "2", "3", "4", "99", str(2**70)]


def _people(n: int) -> Any:
    User.objects.bulk_create(
        [User(email=f"p{i}@example.com", name=f"P {i:02d}", is_staff=i % 3 == 0) for i in range(n)]
    )
    return User.objects.filter(email__startswith="p").order_by("name", "pk")


@pytest.mark.parametrize("number", NUMBERS)
def test_the_same_page_as_djangos_get_page(number: str | None) -> None:
    people = _people(23)
    expected = Paginator(people, 10).get_page(number)

    page, totals = page_with_totals(people, number=number, per_page=10)

    assert page.number == expected.number
    assert list(page.object_list) == list(expected.object_list)
    assert page.paginator.num_pages == 3 and page.paginator.count == totals["count"] == 23
    assert (page.has_previous(), page.has_next()) == (expected.has_previous(), expected.has_next())


@pytest.mark.parametrize("number", ["1", "2", "3"])
def test_a_page_that_exists_and_every_total_cost_one_query(
    number: str, django_assert_num_queries: Any
) -> None:
    people = _people(23)
    whole = people.aggregate(staff=Count("pk", filter=Q(is_staff=True)), ids=Sum("pk"))

    with django_assert_num_queries(1):
        page, totals = page_with_totals(
            people,
            number=number,
            per_page=10,
            staff=Count("pk", filter=Q(is_staff=True)),
            ids=Sum("pk"),
        )
        rows = list(page.object_list)
        assert page.paginator.num_pages == 3

    assert totals == {"count": 23, **whole}
    assert len(rows) == (3 if number == "3" else 10)


def test_a_page_past_the_end_costs_the_totals_and_the_last_page(
    django_assert_num_queries: Any,
) -> None:
    people = _people(23)
    with django_assert_num_queries(3):
        page, totals = page_with_totals(people, number="7", per_page=10)
    assert page.number == 3 and len(page.object_list) == 3 and totals["count"] == 23


@pytest.mark.parametrize(("number", "queries"), [(None, 1), ("1", 1), ("4", 2), ("0", 1)])
def test_an_empty_list_is_one_empty_first_page(
    number: str | None, queries: int, django_assert_num_queries: Any
) -> None:
    nobody = User.objects.filter(email="nobody@example.com").order_by("pk")
    with django_assert_num_queries(queries):
        page, totals = page_with_totals(
            nobody, number=number, per_page=10, staff=Count("pk"), ids=Sum("pk")
        )
        assert page.paginator.num_pages == 1
    assert page.number == 1 and list(page.object_list) == []
    assert totals == {"count": 0, "staff": 0, "ids": None}
