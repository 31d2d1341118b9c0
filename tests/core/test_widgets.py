"""core.widgets.Select writes what Django's Select writes, without a template per option."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django import forms
from django.test import Client

from core import widgets
from tests.accounts.factories import UserFactory
from tests.tenants.factories import OrgFactory, add_member, make_team

CHOICES: list[Any] = [
    ("", "— none —"),
    ("Europe/Berlin", "Europe/Berlin"),
    ("a&b", 'Quotes " and <tags>'),
    ("Groups", [("x", "In a group"), ("y", "Also")]),
    (7, "A number"),
]


def tags_only(html: str) -> str:
    """Markup without the whitespace Django's templates put between tags."""
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("value", [None, "", "Europe/Berlin", "a&b", "y", 7, "7", "gone"])
@pytest.mark.parametrize(
    "attrs", [{}, {"class": "input", "required": True, "disabled": False, "aria-invalid": "true"}]
)
def test_it_writes_the_markup_of_djangos_select(value: Any, attrs: dict[str, Any]) -> None:
    django, ours = forms.Select(attrs, choices=CHOICES), widgets.Select(attrs, choices=CHOICES)
    expected = django.render("zone", value, {"id": "id_zone"})
    written = ours.render("zone", value, {"id": "id_zone"})
    assert written == tags_only(expected)
    assert "&lt;tags&gt;" in written and "a&amp;b" in written  # escaped, as Django does


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/account/", "/t/{slug}/teams/", "/t/{slug}/settings/"])
def test_pages_with_long_selects_render_no_template_per_option(page: str) -> None:
    """The time zones (account), the parent team (teams), the new owner (settings)."""
    owner = UserFactory()
    org = OrgFactory(owner=owner, name="Acme")
    for i in range(3):
        make_team(org, f"Team {i}")
        add_member(org)
    client = Client()
    client.force_login(owner)
    response = client.get(page.format(slug=org.slug))
    assert response.status_code == 200
    rendered = {template.name for template in response.templates}
    assert "django/forms/widgets/select.html" not in rendered
    assert "django/forms/widgets/select_option.html" not in rendered
    assert response.content.decode().count("<option") >= 4
