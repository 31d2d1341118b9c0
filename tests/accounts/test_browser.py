"""In a real browser: sign up by email, from the form to the link, ending signed in."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User
from tests.accounts.mailtools import link_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_up_as_ada(page: Any) -> None:
    """Fill in the sign-up form as a person does, up to "Check your email"."""
    page.goto("/auth/sign-up/")
    page.fill("input[name=name]", "Ada Lovelace")
    page.fill("input[name=email]", "ada@example.com")
    page.fill("input[name=password]", "analytical-engine-1843")
    page.click("form button[type=submit]")
    page.wait_for_url("**/auth/sign-up/sent/")


def test_sign_up_by_email_lands_signed_in(page: Any, mailoutbox: list[Any]) -> None:
    sign_up_as_ada(page)
    assert page.locator("h1").inner_text() == "Check your email to continue"
    assert not User.objects.filter(email="ada@example.com").exists()

    [message] = mailoutbox
    assert message.to == ["ada@example.com"]
    page.goto(link_in(message))
    assert "ada@example.com" in page.locator("main").inner_text()
    page.get_by_role("button", name="Create my account").click()

    page.wait_for_url("**/t/**")
    user = User.objects.get(email="ada@example.com")
    assert page.url.endswith(f"/t/{user.personal_tenant.slug}/")
    assert "Welcome to Pacetrack! Your workspace is ready." in page.content()
    assert "Please confirm your email address" not in page.content()  # the link verified it
    assert user.email_verified_at is not None
    page.goto("/account/")
    assert page.url.endswith("/account/")  # signed in


def test_the_link_opened_on_a_phone_has_a_password_chosen_there_and_lands_signed_in(
    page: Any, _browser: Any, live_server: Any, mailoutbox: list[Any]
) -> None:
    """Signed up on a laptop, the link opened on a phone: not one click there (a
    stranger could have started it with a password of theirs), a password chosen there."""
    sign_up_as_ada(page)
    phone = _browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, is_mobile=True
    )
    try:
        on_phone = phone.new_page()
        on_phone.goto(link_in(mailoutbox[-1]))
        password = on_phone.get_by_label("Choose a password")
        on_phone.get_by_role("button", name="Create my account").click()

        error = on_phone.locator("#id_password_error")
        assert error.inner_text().strip() == "Choose a password."
        assert password.get_attribute("aria-invalid") == "true"
        assert not User.objects.filter(email="ada@example.com").exists()
        password.fill("chosen-on-the-phone-1843")
        on_phone.get_by_role("button", name="Create my account").click()
        on_phone.wait_for_url("**/t/**")
        assert "Welcome to Pacetrack! Your workspace is ready." in on_phone.content()
        width = on_phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, "nothing wider than the phone"
    finally:
        phone.close()
    assert User.objects.get(email="ada@example.com").check_password("chosen-on-the-phone-1843")
