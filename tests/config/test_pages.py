from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.django_db
def test_landing_page_invites_visitors_to_sign_up(client: Any) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/auth/sign-up/"' in html


@pytest.mark.django_db
def test_landing_page_speaks_to_customers_first_and_to_developers_too(client: Any) -> None:
    html = client.get("/").content.decode()
    customers, developers = html.split('id="developers-heading"')
    for benefit in (
        "Your team, organised",
        "The right access",
        "Every device",
        "Billing",
        "Secure",
    ):
        assert benefit in customers
    assert "Ship your B2B product on day one." in developers


@pytest.mark.django_db
def test_the_footer_offers_no_machine_status_page(client: Any) -> None:
    footer = client.get("/").content.decode().split("<footer")[1]
    assert "/healthz/" not in footer and "Status" not in footer


@pytest.mark.django_db
def test_assets_are_served_by_us_never_from_a_cdn(client: Any) -> None:
    html = client.get("/").content.decode()
    assert "/static/app.css" in html and "/static/htmx.min.js" in html
    assert "https://" not in html.split("<body")[0]


@pytest.mark.django_db
def test_unknown_page_gets_the_friendly_404(client: Any) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize(
    ("template", "text"),
    [
        ("errors/403.html", "You don't have access to this"),
        ("errors/429.html", "Too many requests"),
        ("errors/500.html", "Something went wrong"),
        ("errors/503.html", "right back"),
    ],
)
@pytest.mark.django_db
def test_error_pages_render(rf: Any, template: str, text: str) -> None:
    from django.template.loader import render_to_string

    assert text in render_to_string(template, request=rf.get("/"))


def test_an_alert_takes_only_an_aria_role_never_a_workspace_role(rf: Any) -> None:
    """An include sees the page's context, where `role` is often the person's Role:
    it must not become role="Member" (an invalid ARIA role hides the alert's meaning)."""
    from django.template.loader import render_to_string

    def alert(**context: Any) -> str:
        return render_to_string("elements/alert.html", {"message": "Saved.", **context})

    assert "role=" not in alert(role=type("Role", (), {"__str__": lambda self: "Member"})())
    assert 'role="status"' in alert(role="status")
    assert 'role="alert"' in alert(role="alert")
