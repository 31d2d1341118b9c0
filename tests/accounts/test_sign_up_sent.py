"""After signing up, "Check your email" names the address the message went to, in the
browser that sent the form only, and "Use a different address" brings the form back
filled in (name and address, never the password) so a typo can be corrected.

A taken address gets the same page as a new one: what is shown is only what this
browser typed, never whether the address has an account."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.accounts.factories import UserFactory
from tests.accounts.mailtools import link_in

pytestmark = pytest.mark.django_db

PASSWORD = "analytical-engine-1843"
TYPO = "ivy@exmaple.org"
GENERIC = "We sent a message to the address you entered."


def _sign_up(client: Client, email: str = TYPO, name: str = "Ivy Example") -> str:
    """Send the sign-up form; the page it lands on."""
    response = client.post(
        "/auth/sign-up/", {"name": name, "email": email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain == [("/auth/sign-up/sent/", 302)]
    return response.content.decode()


def _different_address_link(page: str) -> str:
    [href] = re.findall(r'<a href="([^"]*)"[^>]*>Use a different address</a>', page)
    return href.replace("&amp;", "&")


def _input(page: str, name: str) -> str:
    [tag] = re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)
    return tag


def _without_csrf(page: str) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "CSRF", page)


def test_the_page_names_the_address_to_the_browser_that_signed_up(client: Client) -> None:
    page = _sign_up(client)

    assert f'<strong class="font-semibold text-slate-900"><bdi>{TYPO}</bdi></strong>' in page
    assert GENERIC not in page


def test_another_browser_opening_the_page_is_shown_no_address(client: Client) -> None:
    _sign_up(client)

    page = Client().get("/auth/sign-up/sent/").content.decode()

    assert GENERIC in page and TYPO not in page
    assert _different_address_link(page) == "/auth/sign-up/"


def test_the_page_is_not_kept_in_any_cache(client: Client) -> None:
    _sign_up(client)

    response = client.get("/auth/sign-up/sent/")

    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_a_taken_address_gets_the_same_page_and_form_as_a_new_one() -> None:
    """No enumeration: apart from the address typed, nothing differs."""
    UserFactory(email="taken@example.com")
    pages = {}
    for email in ("taken@example.com", "fresh@example.com"):
        browser = Client()
        sent = _sign_up(browser, email=email)
        form = browser.get(_different_address_link(sent)).content.decode()
        pages[email] = _without_csrf(sent + form).replace(email, "ADDRESS")

    assert pages["taken@example.com"] == pages["fresh@example.com"]
    assert "<bdi>ADDRESS</bdi>" in pages["fresh@example.com"]


def test_use_a_different_address_brings_back_the_name_and_address_not_the_password(
    client: Client,
) -> None:
    sent = _sign_up(client)

    page = client.get(_different_address_link(sent)).content.decode()

    name, email, password = (_input(page, field) for field in ("name", "email", "password"))
    assert 'value="Ivy Example"' in name and "autofocus" not in name
    assert f'value="{TYPO}"' in email and "autofocus" in email, "the address to correct"
    assert "value=" not in password and PASSWORD not in page


def test_the_corrected_address_is_the_one_named_next(client: Client) -> None:
    sent = _sign_up(client)
    client.get(_different_address_link(sent))

    page = _sign_up(client, email="ivy@example.org")

    assert "<bdi>ivy@example.org</bdi>" in page and TYPO not in page


def test_another_browser_following_that_link_gets_an_empty_form(client: Client) -> None:
    link = _different_address_link(_sign_up(client))

    page = Client().get(link).content.decode()

    assert "value=" not in _input(page, "email") and "value=" not in _input(page, "name")
    assert "autofocus" in _input(page, "name")


def test_an_altered_cookie_names_no_address(client: Client) -> None:
    _sign_up(client)
    cookie = client.cookies["pacetrack-signup"]
    cookie.set(cookie.key, cookie.value[:-2] + "xx", cookie.coded_value[:-2] + "xx")

    page = client.get("/auth/sign-up/sent/").content.decode()

    assert GENERIC in page and TYPO not in page


def test_a_name_in_arabic_and_markup_in_it_come_back_as_typed_and_escaped(
    client: Client,
) -> None:
    sent = _sign_up(client, name="ليلى <b>")

    page = client.get(_different_address_link(sent)).content.decode()

    assert 'value="ليلى &lt;b&gt;"' in _input(page, "name")


def test_once_the_sign_up_is_completed_elsewhere_the_next_person_sees_nothing_of_it(
    client: Client, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    """A shared computer: Ivy signs up there and finishes from the link on her phone
    (choosing the password there). The next person at the computer opened "Check your
    email" and "Use a different address" for two days and read her address and name,
    the form filled in. Now neither names them, and the cookie that held them goes."""
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up(client, email="ivy@example.org")
    phone = Client()
    link = link_in(mailoutbox[-1])
    phone.post(link, {"password": "another-engine-1843"})
    assert phone.get("/account/").status_code == 200

    sent = client.get("/auth/sign-up/sent/")
    again = client.get("/auth/sign-up/?change=email")

    assert GENERIC in sent.content.decode()
    for response in (sent, again):
        body = response.content.decode()
        assert "ivy@example.org" not in body and "Ivy Example" not in body
    assert sent.cookies["pacetrack-signup"]["max-age"] == 0
    assert client.cookies["pacetrack-signup"].value == ""


def test_a_later_attempt_with_the_taken_address_does_not_bring_it_back(
    client: Client, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    """Anyone sending the sign-up form with Ivy's address afterwards deleted her used
    sign-up, the one sign that hers is done: the shared computer named her again."""
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up(client, email="ivy@example.org")
    Client().post(link_in(mailoutbox[-1]), {"password": "another-engine-1843"})
    kept = client.cookies["pacetrack-signup"].value  # the tab that never reloaded

    _sign_up(Client(), email="ivy@example.org")  # someone, somewhere
    client.cookies["pacetrack-signup"] = kept

    page = client.get("/auth/sign-up/sent/").content.decode()
    assert "ivy@example.org" not in page and GENERIC in page


def test_a_taken_address_is_still_named_like_a_new_one(client: Client) -> None:
    """Only a completed sign-up of this browser's own hides what it typed: a taken
    address (no sign-up waiting, none completed) is still named, like a new one."""
    UserFactory(email="taken@example.org")
    _sign_up(client, email="taken@example.org")

    assert "taken@example.org" in client.get("/auth/sign-up/sent/").content.decode()
