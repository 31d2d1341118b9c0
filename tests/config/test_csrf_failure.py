"""A plain form sent from a page that expired (signed out in another tab, a page kept
open for days) goes back to that page, which says nothing was saved; a cross-site post
gets our own page. Never Django's developer page, and never a change."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def rename_from(browser: Client, referer: str, **kwargs: Any) -> Any:
    """The account page's form sent without a valid token, from `referer`."""
    return browser.post("/account/", {"name": "Renamed"}, HTTP_REFERER=referer, **kwargs)


def test_signed_out_in_another_tab_the_form_goes_back_and_asks_to_sign_in(user: Any) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.cookies["sessionid-of-another-visit"] = "x"  # the browser still sends cookies
    response = rename_from(browser, "http://testserver/account/")

    assert response.status_code == 302 and response["Location"] == "/account/"
    page = browser.get("/account/", follow=True)
    assert page.redirect_chain[-1][0].startswith("/auth/sign-in/?next=")  # sign in again
    assert "That page had expired, so nothing was saved. Try again." in page.content.decode()
    user.refresh_from_db()
    assert user.name != "Renamed"


def test_a_signed_in_person_with_a_stale_token_is_told_on_the_page_itself(user: Any) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    response = rename_from(browser, "http://testserver/account/", follow=True)

    assert response.redirect_chain == [("/account/", 302)]
    assert "nothing was saved" in response.content.decode()
    user.refresh_from_db()
    assert user.name != "Renamed"


def test_a_post_from_another_site_gets_our_page_not_djangos(user: Any) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    response = rename_from(browser, "https://evil.example/page")

    body = response.content.decode()
    assert response.status_code == 403
    assert "This page has expired" in body and "CSRF verification failed" not in body
    assert "Pacetrack" in body  # the site's own layout
    user.refresh_from_db()
    assert user.name != "Renamed"


def test_without_cookies_the_page_says_to_allow_them() -> None:
    response = Client(enforce_csrf_checks=True).post("/auth/sign-in/", {"email": "a@b.example"})

    assert response.status_code == 403
    assert "Allow cookies for this site" in response.content.decode()
