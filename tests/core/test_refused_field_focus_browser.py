"""In a real browser: a form refused as a whole page puts the focus on the first field
it marks invalid, scrolled into view. The account page's password form sits below two
others: at phone width its errors were a screen and a half down, with the focus on the
page, so a wrong current password looked like nothing happened. A sign-up refused for
its password focused the name field."""

from __future__ import annotations

from typing import Any

import pytest

from tests.accounts.factories import UserFactory
from tests.core.browser import sign_in
from tests.sso.saml_idp import LocalSamlIdP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED_NAME = "document.activeElement && document.activeElement.name"
IN_VIEW = """() => {
    const box = document.activeElement.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight;
}"""


@pytest.mark.parametrize(
    ("width", "language"), [(360, "de"), (1280, "en")], ids=["phone-de", "desktop"]
)
def test_a_refused_password_change_shows_its_field(page: Any, width: int, language: str) -> None:
    person = UserFactory(language=language)
    page.set_viewport_size({"width": width, "height": 740})
    sign_in(page, person.email, then="/account/")
    page.locator("input[name=current_password]").fill("not my password")
    page.locator("input[name=new_password]").fill("a-brand-new-one-42")
    page.locator("input[name=confirm_password]").fill("a-different-one-42")
    page.locator("#password button[type=submit]").click()
    page.wait_for_url("**/account/password/")
    page.wait_for_function("document.readyState === 'complete'")

    assert page.evaluate(FOCUSED_NAME) == "current_password"
    assert page.evaluate(IN_VIEW)


def test_a_sign_up_refused_for_its_password_focuses_the_password(page: Any) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/auth/sign-up/")
    page.locator("input[name=name]").fill("Ada Lovelace")
    page.locator("input[name=email]").fill("ada@example.com")
    page.locator("input[name=password]").fill("short")
    page.get_by_role("button", name="Create account").click()
    page.locator("input[name=password][aria-invalid=true]").wait_for()
    page.wait_for_function("document.readyState === 'complete'")

    assert page.evaluate(FOCUSED_NAME) == "password"
    assert page.locator("input[name=name]").input_value() == "Ada Lovelace"


@pytest.mark.xmlsec1
@pytest.mark.parametrize("width", [360, 1280])
def test_a_form_refused_as_a_whole_shows_its_error_box(
    page: Any, acme: Any, owner: Any, width: int
) -> None:
    """Syncing teams with no groups attribute blames no one field: the SAML form's
    error box, 1,700 px below the top of the SSO page, is where the focus goes."""
    page.set_viewport_size({"width": width, "height": 740})
    sign_in(page, owner.email, then=f"/t/{acme.slug}/settings/sso/")
    page.locator("textarea[name=idp_metadata]").fill(LocalSamlIdP().metadata)
    page.locator("#saml_attr_groups").fill("")
    page.locator("#saml_sync_teams_from_groups").check()
    page.get_by_role("button", name="Save SAML connection").click()
    page.wait_for_url("**/settings/sso/saml/save/")
    page.wait_for_function("document.readyState === 'complete'")

    focused = page.evaluate("document.activeElement.getAttribute('role')")
    assert focused == "alert"
    assert page.evaluate("document.activeElement.closest('form') !== null")
    assert page.evaluate(IN_VIEW)
    assert page.evaluate("window.scrollY") > 0
