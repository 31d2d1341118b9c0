"""In a real browser: a person switches the app to Arabic (right to left) or reads it in
German, and sign-up takes the browser's time zone (issue 21, "Languages and time zones")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from accounts.models import User
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.core.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 360)


def _overflow(page: Any) -> int:
    """How many pixels the page sticks out of the window sideways (0 when it fits); in a
    right-to-left page the overflow would be on the left, and scrollWidth counts it too."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def _x(page: Any, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return float(box["x"])


def test_choosing_arabic_turns_the_app_right_to_left(page: Any) -> None:
    UserFactory(email="amal@example.com", name="Amal Haddad")
    sign_in(page, "amal@example.com", then="/account/")
    page.select_option("select[name=language]", "ar")
    page.select_option("select[name=time_zone]", "Asia/Riyadh")
    page.get_by_role("button", name="Save language and time zone").click()
    page.wait_for_load_state()

    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
    assert page.get_by_role("heading", name="اللغة والمنطقة الزمنية").is_visible()
    assert page.get_by_text("تم حفظ لغتك ومنطقتك الزمنية.").is_visible()
    amal = User.objects.get(email="amal@example.com")
    assert (amal.language, amal.time_zone) == ("ar", "Asia/Riyadh")

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/account/")
        assert _overflow(page) == 0, width
        # Mirrored: the brand at the right, the menu at the left.
        menu = "[data-testid=user-menu]" if width >= 640 else "[data-testid=mobile-menu]"
        brand = "header a:has-text('Pacetrack')"
        assert _x(page, menu) < _x(page, brand), width


def test_a_german_person_reads_german(page: Any) -> None:
    UserFactory(email="greta@example.com", name="Greta Berger", language="de")
    sign_in(page, "greta@example.com", then="/account/")

    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.get_by_role("heading", name="Sprache und Zeitzone").is_visible()
    assert page.get_by_role("button", name="Sprache und Zeitzone speichern").is_visible()


@pytest.fixture
def berlin_page(_browser: Any, live_server: Any) -> Iterator[Any]:
    """A page in a browser in Berlin whose preferred language is German."""
    context = _browser.new_context(
        base_url=live_server.url, timezone_id="Europe/Berlin", locale="de-DE"
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_sign_up_takes_the_browsers_time_zone_and_language(berlin_page: Any, settings: Any) -> None:
    page = berlin_page
    settings.ACCOUNTS_SIGNUP_EMAIL_CONFIRMATION = False
    page.goto("/auth/sign-up/")
    assert page.locator("html").get_attribute("lang") == "de"  # Accept-Language: de-DE
    assert page.input_value("input[name=time_zone]") == "Europe/Berlin"
    page.fill("input[name=name]", "Greta Berger")
    page.fill("input[name=email]", "greta@example.com")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/t/**")

    greta = User.objects.get(email="greta@example.com")
    assert (greta.language, greta.time_zone) == ("de", "Europe/Berlin")


@pytest.mark.parametrize("width", WIDTHS)
def test_signing_out_keeps_the_persons_language(page: Any, width: int) -> None:
    """Signed out from the phone menu, an Arabic reader got "You have been signed out."
    on an English home page and an English sign-in form (Clear-Site-Data had cleared
    the language cookie with the others), then Arabic again at the second step."""
    amal = UserFactory(email="amal@example.com", language="ar")
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, amal.email)
    menu = "[data-testid=mobile-menu]" if width < 640 else "[data-testid=user-menu]"
    page.locator(f"{menu} summary").click()
    page.locator(menu).get_by_role("button", name="تسجيل الخروج").click()
    page.wait_for_url(lambda url: "/auth/signed-out/" not in url and "/t/" not in url)

    assert page.evaluate("document.documentElement.lang") == "ar"
    assert "تم تسجيل خروجك." in page.content()
    page.goto("/auth/sign-in/")
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.evaluate("document.documentElement.dir") == "rtl"
