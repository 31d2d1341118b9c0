"""In a real browser: sign up by email, from the form to the link, ending signed in."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User
from tests.accounts.mailtools import link_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_by_email_lands_signed_in(page: Any, mailoutbox: list[Any]) -> None:
    page.goto("/auth/sign-up/")
    page.fill("input[name=name]", "Ada Lovelace")
    page.fill("input[name=email]", "ada@example.com")
    page.fill("input[name=password]", "analytical-engine-1843")
    page.click("form button[type=submit]")
    page.wait_for_url("**/auth/sign-up/sent/")
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
