"""In a real browser: every destructive action asks in the one confirmation dialog, does
nothing when the person backs out (Escape, or Cancel), and does it when they confirm.
Focus starts on the button that backs out and returns to the button that opened it."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import User
from mfa.models import RecoveryCode
from mfa.selectors import two_factor_status
from sessions_app.models import Session
from tenants.models import Invitation, Membership, Role, Team, Tenant
from tenants.services import tenant_create_org
from tenants.services.two_factor import tenant_two_factor_require
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.core.browser import Workspace, dialog, sign_in, workspace
from tests.mfa.helpers import enable_totp
from tests.uploads.conftest import make_image
from uploads import images
from uploads.models import Upload
from uploads.services import avatar_update

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@dataclass
class Destructive:
    """One destructive action: who does it where, the button that starts it (inside
    `scope`, when given), what to fill in first, the dialog's button, and whether it
    happened."""

    name: str
    person: Callable[[Workspace], Any]
    url: Callable[[Workspace], str]
    # Its accessible name, or a pattern of it (a device's button names the device).
    button: str | re.Pattern[str] | Callable[[Workspace], str]
    confirm: str
    done: Callable[[Workspace], bool]
    scope: Callable[[Any, Workspace], Any] = lambda page, w: page.locator("main")
    fill: Callable[[Any, Workspace], None] = lambda page, w: None
    prepare: Callable[[Workspace, Any], None] = lambda w, new_page: None
    signed_in: Callable[[Workspace], None] = lambda w: None  # set up after signing in


def _second_device(w: Workspace, new_page: Any) -> None:
    """The owner is also signed in on another browser."""
    sign_in(new_page(), w.owner.email)


def _avatar(w: Workspace, new_page: Any) -> None:
    png = make_image("PNG", (64, 64))
    avatar_update(user=w.owner, image=images.image_normalize(io.BytesIO(png), size=len(png)))


def _leech(w: Workspace, new_page: Any) -> None:
    """Acme's account also pays for Leech, another org of its owner."""
    tenant_create_org(owner=w.owner, name="Leech", account=w.org.account)


def _authenticator_app(w: Workspace) -> None:
    """Turned on after signing in (it would ask for a code at sign-in)."""
    enable_totp(w.owner)
    w.codes_before = _recovery_codes(w)  # type: ignore[attr-defined]


def _recovery_codes(w: Workspace) -> set[str]:
    return set(RecoveryCode.objects.filter(user=w.owner).values_list("code_hash", flat=True))


def _two_factor_required(w: Workspace, new_page: Any) -> None:
    tenant_two_factor_require(tenant=w.org, acting_user=w.owner, grace_days=14)


def _fill_transfer(page: Any, w: Workspace) -> None:
    page.locator("select[name=membership]").select_option(str(w.admin.pk))
    page.locator("form[action$='/transfer/'] input[name=password]").fill(DEFAULT_PASSWORD)


def _fill_delete_account(page: Any, w: Workspace) -> None:
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("input[name=confirm]").check()


def _leaver(w: Workspace) -> Any:
    return w.admin.user


def _owner(w: Workspace) -> Any:
    return w.owner


def _loner(w: Workspace) -> Any:
    """Someone in no organisation, so nothing blocks deleting their account."""
    return User.objects.get(email="dora@example.com")


def _row(text: str) -> Callable[[Any, Workspace], Any]:
    return lambda page, w: page.locator("tr, li").filter(has_text=text).last


CASES = [
    Destructive(
        name="delete team",
        person=_owner,
        url=lambda w: w.url("teams/"),
        button=lambda w: f"Delete: {w.team.name}",  # a row's action names its row
        confirm="Delete team",
        done=lambda w: not Team.objects.filter(pk=w.team.pk).exists(),
        scope=lambda page, w: page.locator(f"#team-{w.team.pk}"),
    ),
    Destructive(
        name="delete role",
        person=_owner,
        url=lambda w: w.url("roles/"),
        button="Delete",
        confirm="Delete role",
        done=lambda w: not Role.objects.filter(pk=w.role.pk).exists(),
        scope=_row("Auditor"),
    ),
    Destructive(
        name="delete file",
        person=_owner,
        url=lambda w: w.url("files/"),
        button="Delete: plan.txt",
        confirm="Delete file",
        done=lambda w: not Upload.objects.filter(pk=w.upload.pk).exists(),
        scope=_row("plan.txt"),
    ),
    Destructive(
        name="remove member",
        person=_owner,
        url=lambda w: w.url("members/"),
        button=lambda w: f"Remove {w.member.user.name}",  # named with its person
        confirm="Remove member",
        done=lambda w: not Membership.objects.filter(pk=w.member.pk).exists(),
        scope=lambda page, w: page.locator(f"#member-{w.member.pk}"),
    ),
    Destructive(
        name="leave workspace",
        person=_leaver,
        url=lambda w: w.url("members/"),
        button="Leave workspace",
        confirm="Leave workspace",
        done=lambda w: not Membership.objects.filter(pk=w.admin.pk).exists(),
    ),
    Destructive(
        name="cancel invitation",
        person=_owner,
        url=lambda w: w.url("members/"),
        button=lambda w: f"Cancel: {w.invitation.email}",  # named with its address
        confirm="Cancel invitation",
        done=lambda w: Invitation.objects.get(pk=w.invitation.pk).cancelled_at is not None,
        scope=lambda page, w: page.locator(f"#invite-{w.invitation.pk}"),
    ),
    Destructive(
        name="sign out another device",
        person=_owner,
        url=lambda w: "/account/sessions/",
        button=re.compile(r"^Sign out \S"),  # "Sign out <the other browser>"
        confirm="Sign out device",
        done=lambda w: Session.objects.filter(user=w.owner, revoked_at__isnull=False).exists(),
        scope=lambda page, w: page.locator("#session-list li").filter(has_not_text="This device"),
        prepare=_second_device,
    ),
    Destructive(
        name="sign out all other devices",
        person=_owner,
        url=lambda w: "/account/sessions/",
        button="Sign out all other devices",
        confirm="Sign out other devices",
        done=lambda w: Session.objects.filter(user=w.owner, revoked_at__isnull=False).exists(),
        prepare=_second_device,
    ),
    Destructive(
        name="transfer ownership",
        person=_owner,
        url=lambda w: w.url("settings/"),
        button="Transfer ownership",
        confirm="Transfer ownership",
        done=lambda w: Membership.objects.get(pk=w.admin.pk).role.is_owner,
        fill=_fill_transfer,
    ),
    Destructive(
        name="delete organisation",
        person=_owner,
        url=lambda w: w.url("settings/"),
        button="Delete Acme",
        confirm="Delete organisation",
        done=lambda w: Tenant.objects.get(pk=w.org.pk).deleted_at is not None,
        fill=lambda page, w: page.locator("input[name=confirmation]").fill(w.org.slug),
    ),
    Destructive(
        name="delete account",
        person=_loner,
        url=lambda w: "/account/delete/",
        button="Delete my account",
        confirm="Delete my account",
        done=lambda w: not _loner(w).is_active,
        fill=_fill_delete_account,
    ),
    Destructive(
        name="remove profile picture",
        person=_owner,
        url=lambda w: "/account/",
        button="Remove picture",
        confirm="Remove picture",
        done=lambda w: not User.objects.get(pk=w.owner.pk).avatar,
        prepare=_avatar,
    ),
    Destructive(
        name="remove the authenticator app",
        person=_owner,
        url=lambda w: "/account/security/",
        button="Remove",
        confirm="Remove app",
        done=lambda w: not two_factor_status(user=w.owner).enabled,
        scope=lambda page, w: page.locator("#authenticator-app"),
        signed_in=_authenticator_app,
    ),
    Destructive(
        name="make new recovery codes",
        person=_owner,
        url=lambda w: "/account/security/",
        button="Get new codes",
        confirm="Get new codes",
        done=lambda w: _recovery_codes(w) != w.codes_before,
        signed_in=_authenticator_app,
    ),
    Destructive(
        name="stop requiring two-factor authentication",
        person=_owner,
        url=lambda w: w.url("settings/"),
        button="Stop requiring it",
        confirm="Stop requiring it",
        done=lambda w: Tenant.objects.get(pk=w.org.pk).two_factor_required_at is None,
        prepare=_two_factor_required,
    ),
    Destructive(
        name="stop paying for another workspace",
        person=_owner,
        url=lambda w: w.url("billing/"),
        button="Stop paying for it",
        confirm="Stop paying for it",
        done=lambda w: Tenant.objects.get(name="Leech").account_id != w.org.account_id,
        prepare=_leech,
    ),
    Destructive(
        name="give a workspace its own billing account",
        person=_owner,
        url=lambda w: f"/t/{Tenant.objects.get(name='Leech').slug}/billing/",
        button="Use a billing account of its own",
        confirm="Use its own account",
        done=lambda w: Tenant.objects.get(name="Leech").account_id != w.org.account_id,
        prepare=_leech,
    ),
]


def _is_focused(locator: Any) -> bool:
    return locator.evaluate("element => element === document.activeElement")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_destructive_action_asks_first_and_backing_out_does_nothing(
    page: Any, _browser: Any, live_server: Any, case: Destructive
) -> None:
    w = workspace()
    UserFactory(email="dora@example.com", name="Dora Solo")
    other = _browser.new_context(base_url=live_server.url)
    case.prepare(w, other.new_page)
    other.close()
    sign_in(page, case.person(w).email)
    case.signed_in(w)
    page.goto(case.url(w))
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    case.fill(page, w)
    name = case.button(w) if callable(case.button) else case.button
    button = case.scope(page, w).get_by_role("button", name=name, exact=True)

    button.click()
    asking = dialog(page)
    assert asking.is_visible()
    assert _is_focused(asking.locator("#confirm-dialog-cancel"))
    page.keyboard.press("Escape")
    assert not asking.is_visible()
    assert _is_focused(button)

    button.click()
    asking.get_by_role("button", name=case.confirm).wait_for()
    asking.locator("#confirm-dialog-cancel").click()
    assert not asking.is_visible()
    assert _is_focused(button)
    page.wait_for_timeout(300)  # time for a request that should not happen
    assert posts == []
    assert not case.done(w)

    button.click()
    with page.expect_response(lambda response: response.request.method == "POST"):
        asking.get_by_role("button", name=case.confirm).click()
    assert len(posts) == 1
    assert case.done(w)


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_a_form_that_can_only_be_refused_is_sent_without_its_warning(page: Any, width: int) -> None:
    """A mistyped workspace name, or a password left empty, is answered by the page
    (what is wrong, the typing kept) instead of a warning about what would happen."""
    w = workspace()
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, w.owner.email, then=w.url("settings/"))
    confirmation = page.locator("input[name=confirmation]")
    confirmation.fill(w.org.slug[:-1])

    page.get_by_role("button", name="Delete Acme", exact=True).click()

    page.get_by_text("That does not match.").wait_for()
    assert not dialog(page).is_visible()
    assert confirmation.input_value() == w.org.slug[:-1]
    assert Tenant.objects.get(pk=w.org.pk).deleted_at is None

    confirmation.fill(w.org.slug)  # typed right: now it warns first
    page.get_by_role("button", name="Delete Acme", exact=True).click()
    dialog(page).get_by_role("button", name="Delete organisation").wait_for()
    page.keyboard.press("Escape")
    assert Tenant.objects.get(pk=w.org.pk).deleted_at is None


def test_an_empty_password_is_refused_by_the_page_but_spaces_are_asked_about(
    page: Any,
) -> None:
    """Account deletion: nothing typed in the password is answered by the page; a
    password of spaces is a password (the server does not strip it), so the warning
    comes first. Every doubt falls on the side of asking."""
    loner = UserFactory(email="dora@example.com", name="Dora Solo")
    sign_in(page, loner.email, then="/account/delete/")
    page.locator("input[name=confirm]").check()
    delete = page.locator("main").get_by_role("button", name="Delete my account", exact=True)

    delete.click()
    page.locator("input[name=password][aria-invalid=true]").wait_for()
    assert not dialog(page).is_visible()

    page.locator("input[name=confirm]").check()
    page.locator("input[name=password]").fill("   ")
    delete.click()
    dialog(page).get_by_role("button", name="Delete my account").wait_for()
    page.keyboard.press("Escape")
    assert User.objects.get(pk=loner.pk).is_active


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_the_delete_field_names_what_to_type(page: Any, width: int) -> None:
    """A walk typed the workspace's name, which the heading and the button show, under
    "Type the workspace URL name to confirm": the label now names the value itself."""
    w = workspace()
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, w.owner.email, then=w.url("settings/"))
    field = page.get_by_label(f"Type “{w.org.slug}” to confirm")
    expect(field).to_be_visible()
    expect(page.get_by_text(f"Its web address, /t/{w.org.slug}/, not its name.")).to_be_visible()

    field.fill(w.org.name)
    page.get_by_role("button", name="Delete Acme", exact=True).click()
    page.get_by_text(
        f"That does not match. Type “{w.org.slug}” to delete this workspace."
    ).wait_for()

    page.get_by_label(f"Type “{w.org.slug}” to confirm").fill(w.org.slug)
    page.get_by_role("button", name="Delete Acme", exact=True).click()
    dialog(page).get_by_role("button", name="Delete organisation").wait_for()
    assert Tenant.objects.get(pk=w.org.pk).deleted_at is None
