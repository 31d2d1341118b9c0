"""In a real browser: a field with an error looks like one and says so to a screen reader."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RING_COLOR = "getComputedStyle(arguments[0] || this).boxShadow"


def _ring(locator: Any) -> str:
    """The input's ring (a box-shadow in Tailwind) as the browser draws it."""
    return locator.evaluate("el => getComputedStyle(el).boxShadow")


def _red_400(page: Any) -> str:
    """Tailwind's red-400, resolved the way the browser resolves it in a box-shadow."""
    return page.evaluate(
        """() => {
          const probe = document.createElement('div');
          probe.style.setProperty('box-shadow', '0 0 0 1px var(--color-red-400)');
          document.body.append(probe);
          const shadow = getComputedStyle(probe).boxShadow;
          probe.remove();
          return shadow.replace(/ 0px 0px 0px 1px$/, '');
        }"""
    )


def test_sign_in_with_empty_fields_marks_each_field_and_says_what_to_enter(page: Any) -> None:
    page.goto("/auth/sign-in/")
    email, password = page.get_by_label("Email"), page.get_by_label("Password")
    ring_before = _ring(email)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description("Enter your email address.")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description("Enter your password.")
    email.blur()  # autofocus: a focused field draws its focus ring instead
    red = _red_400(page)
    assert red and red not in ring_before
    assert red in _ring(email) and red in _ring(password)


def test_a_malformed_email_is_marked_and_the_password_is_not(page: Any) -> None:
    page.goto("/auth/sign-in/")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Password").fill("whatever-it-is")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    email, password = page.get_by_label("Email"), page.get_by_label("Password")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description("Enter a valid email address.")
    assert password.get_attribute("aria-invalid") is None
    assert _red_400(page) not in _ring(password)


@pytest.mark.parametrize("width", [1280, 360])
def test_a_wrong_password_keeps_the_email_and_puts_the_cursor_in_the_password(
    page: Any, user: Any, width: int
) -> None:
    """The email was right or wrong, the page cannot say which; the usual slip is the
    password, so that is where typing goes on (the email stays as typed)."""
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/auth/sign-in/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    expect(page.get_by_text("That email and password don't match an account.")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value(user.email)
    expect(page.get_by_label("Password")).to_have_value("")
    expect(page.get_by_label("Password")).to_be_focused()
    # Read out with the field a screen reader lands on ("Password, edit, protected"
    # alone before), and with the email; the password marked as the one to retype.
    refusal = "That email and password don't match an account."
    for field in (page.get_by_label("Password"), page.get_by_label("Email")):
        expect(field).to_have_accessible_description(re.compile(re.escape(refusal)))
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")


def test_an_invitation_link_with_the_address_starts_at_the_password(page: Any, user: Any) -> None:
    page.goto(f"/auth/sign-in/?email={user.email}")

    expect(page.get_by_label("Email")).to_have_value(user.email)
    expect(page.get_by_label("Password")).to_be_focused()
