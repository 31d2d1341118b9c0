"""Without JavaScript a destructive form still asks first: sent without `confirmed`, it is
answered with a page that asks what the dialog would have asked, and nothing happens
until that page's button sends the same form again (core/confirm.py). With JavaScript
the dialog adds `confirmed`, and everything goes on as before."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.checks import run_checks
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client

from tenants.models import Invitation, Membership, Role, Team
from tests.core.browser import Workspace, workspace
from tests.core.forms import asks, form_to, post, sent
from tests.mfa.helpers import age_sign_in
from uploads.models import Upload
from webhooks.services import endpoint_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme() -> Workspace:
    return workspace()


@pytest.fixture
def owner(acme: Workspace) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(acme.owner)
    return client


def delete_file(acme: Workspace) -> str:
    return f"/t/{acme.org.slug}/files/{acme.upload.pk}/delete/"


def files_page(owner: Client, acme: Workspace) -> str:
    return owner.get(acme.url("files/")).content.decode()


# --- The form says what it asks -----------------------------------------------------


def test_a_destructive_form_carries_its_question(owner: Client, acme: Workspace) -> None:
    form = form_to(files_page(owner, acme), delete_file(acme))

    assert asks(form) == [
        {
            "question": "Delete plan.txt?",
            "detail": "It is removed for every member of Acme. This cannot be undone.",
            "button": "Delete file",
            "cancel": "",
        }
    ]


def test_the_words_are_plain_text_whatever_the_name_holds() -> None:
    template = Template(
        "{% load confirm i18n %}{% blocktranslate trimmed with name=name asvar question %}"
        "Delete {{ name }}?{% endblocktranslate %}{% confirm_field question button=_('Delete') %}"
    )

    html = template.render(Context({"name": 'R&D "<b>" it\'s'}))

    form = form_to(f'<form action="/x/">{html}</form>', "/x/")
    assert asks(form)[0]["question"] == 'Delete R&D "<b>" it\'s?'
    assert "<b>" not in html


# --- Without JavaScript: the page that asks -----------------------------------------


def test_a_form_sent_without_its_answer_is_asked_first_and_nothing_happens(
    owner: Client, acme: Workspace
) -> None:
    form = form_to(files_page(owner, acme), delete_file(acme))

    response = post(owner, delete_file(acme), sent(form))

    assert response.status_code == 200
    assert response.templates[0].name == "core/confirm.html"
    page = response.content.decode()
    assert "<h1" in page and "Delete plan.txt?" in page
    assert "It is removed for every member of Acme. This cannot be undone." in page
    assert "Delete file" in page
    assert Upload.objects.filter(pk=acme.upload.pk).exists()
    assert "no-store" in response["Cache-Control"]


def test_its_button_sends_the_same_fields_again_with_confirmed_and_a_fresh_token(
    owner: Client, acme: Workspace
) -> None:
    original = sent(form_to(files_page(owner, acme), delete_file(acme)))
    page = post(owner, delete_file(acme), original).content.decode()

    again = form_to(page, delete_file(acme))
    resent = sent(again)

    assert resent.pop("confirmed") == ["1"]
    token = resent.pop("csrfmiddlewaretoken")
    original.pop("csrfmiddlewaretoken")
    assert resent == original
    response = post(owner, delete_file(acme), sent(again))  # the CSRF check is on
    assert response.status_code == 302
    assert not Upload.objects.filter(pk=acme.upload.pk).exists()
    assert token != [""]


def test_a_confirmed_form_reaches_the_view_at_once(owner: Client, acme: Workspace) -> None:
    form = form_to(files_page(owner, acme), delete_file(acme))

    assert asks(form)
    response = post(owner, delete_file(acme), sent(form, confirmed="1"))

    assert response.status_code == 302
    assert not Upload.objects.filter(pk=acme.upload.pk).exists()


def test_cancel_goes_back_to_the_page_the_form_was_on(owner: Client, acme: Workspace) -> None:
    form = form_to(files_page(owner, acme), delete_file(acme))

    page = post(
        owner,
        delete_file(acme),
        sent(form),
        headers={"Referer": f"http://testserver{acme.url('files/')}?page=2"},
    ).content.decode()

    assert form_to(page, delete_file(acme))["links"] == [acme.url("files/") + "?page=2"]


@pytest.mark.parametrize(
    "referer",
    [
        "https://evil.example/t/acme/files/",
        "//evil.example/",
        "javascript:alert(1)",
        "",
        # A path of this site that reads as another site: "//evil.example/landing".
        "http://testserver//evil.example/landing",
        "http://testserver/\\evil.example/",
    ],
)
def test_cancel_never_leaves_the_site(owner: Client, acme: Workspace, referer: str) -> None:
    form = form_to(files_page(owner, acme), delete_file(acme))
    headers = {"Referer": referer} if referer else {}

    page = post(owner, delete_file(acme), sent(form), headers=headers).content.decode()

    assert form_to(page, delete_file(acme))["links"] == ["/"]


def test_a_post_that_fails_csrf_is_refused_not_asked(acme: Workspace) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(acme.owner)
    form = form_to(files_page(client, acme), delete_file(acme))

    assert asks(form)
    response = post(client, delete_file(acme), sent(form, csrfmiddlewaretoken="forged"))

    assert response.status_code == 403
    assert Upload.objects.filter(pk=acme.upload.pk).exists()


def test_a_multipart_form_is_left_to_its_view(owner: Client, acme: Workspace) -> None:
    """Its body is never read before the view (an upload's may be large)."""
    client = Client()
    client.force_login(acme.owner)
    data = {
        "confirm-ask": json.dumps({"question": "Upload?"}),
        "file": SimpleUploadedFile("notes.txt", b"Notes.", content_type="text/plain"),
    }

    response = client.post(acme.url("files/upload/"), data)

    assert response.status_code == 302
    assert Upload.objects.filter(tenant=acme.org, original_filename="notes.txt").exists()


# --- Forms that ask for one choice only ---------------------------------------------


def test_making_someone_an_owner_asks_and_another_role_does_not(
    owner: Client, acme: Workspace
) -> None:
    url = acme.url(f"members/{acme.member.pk}/role/")
    form = form_to(owner.get(acme.url("members/")).content.decode(), url)
    owner_role = Role.objects.get(tenant=acme.org, key="owner")
    admin_role = Role.objects.get(tenant=acme.org, key="admin")
    assert [ask.get("when") for ask in asks(form)] == [["role", str(owner_role.pk)]]

    asked = post(owner, url, sent(form, role=str(owner_role.pk)))
    assert "Make Mia Member an owner?" in asked.content.decode()
    assert Membership.objects.get(pk=acme.member.pk).role.key == "member"

    response = post(owner, url, sent(form, role=str(admin_role.pk)))
    assert response.status_code == 302
    assert Membership.objects.get(pk=acme.member.pk).role.key == "admin"


def test_inviting_an_owner_asks_and_inviting_a_member_does_not(
    owner: Client, acme: Workspace
) -> None:
    url = acme.url("members/invites/")
    form = form_to(owner.get(acme.url("members/")).content.decode(), url)
    owner_role = Role.objects.get(tenant=acme.org, key="owner")
    assert [ask.get("when") for ask in asks(form)] == [["role", str(owner_role.pk)]]

    asked = post(owner, url, sent(form, email="ada@example.com", role=str(owner_role.pk)))
    assert "Invite them as an owner?" in asked.content.decode()
    assert not Invitation.objects.filter(email="ada@example.com").exists()

    response = post(owner, url, sent(form, email="ada@example.com"))  # as a member
    assert response.status_code == 302
    assert Invitation.objects.get(email="ada@example.com").role.key == "member"


# --- With JavaScript: htmx, and "Confirm it's you" ------------------------------------


def test_an_htmx_request_from_the_dialog_swaps_as_before(owner: Client, acme: Workspace) -> None:
    url = acme.url(f"members/{acme.member.pk}/remove/")
    form = form_to(owner.get(acme.url("members/")).content.decode(), url)

    assert asks(form)
    response = post(owner, url, sent(form, confirmed="1"), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "HX-Retarget" not in response
    assert 'data-testid="confirm-page"' not in response.content.decode()
    assert not Membership.objects.filter(pk=acme.member.pk).exists()


def test_an_htmx_request_without_the_dialog_gets_the_page_instead(
    owner: Client, acme: Workspace
) -> None:
    url = acme.url(f"members/{acme.member.pk}/remove/")
    form = form_to(owner.get(acme.url("members/")).content.decode(), url)

    response = post(owner, url, sent(form), headers={"HX-Request": "true"})

    assert response["HX-Retarget"] == "body" and response["HX-Reswap"] == "innerHTML"
    assert "Remove Mia Member from Acme?" in response.content.decode()
    assert Membership.objects.filter(pk=acme.member.pk).exists()


def test_confirm_its_you_comes_after_the_question_and_carries_the_answer(
    owner: Client, acme: Workspace, settings: Any
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    endpoint, _secret = endpoint_create(
        tenant=acme.org,
        url="http://127.0.0.1:9/hooks",
        description="Orders",
        event_types=["member.added"],
        acting_user=acme.owner,
    )
    url = acme.url(f"settings/webhooks/{endpoint.pk}/rotate/")
    form = form_to(owner.get(acme.url(f"settings/webhooks/{endpoint.pk}/")).content.decode(), url)
    age_sign_in(acme.owner)

    asked = post(owner, url, sent(form))
    assert asked.status_code == 200 and "Create a new signing secret?" in asked.content.decode()

    prompt = post(owner, url, sent(form_to(asked.content.decode(), url)))
    assert prompt.status_code == 307 and prompt["Location"].startswith("/auth/confirm/")


def test_the_question_comes_after_csrf_in_the_middleware(settings: Any) -> None:
    assert settings.MIDDLEWARE[-1] == "core.confirm.ConfirmMiddleware"
    assert not [e for e in run_checks() if e.id == "core.E005"]


def test_a_question_before_csrf_is_refused(settings: Any) -> None:
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "core.confirm.ConfirmMiddleware"]
    settings.MIDDLEWARE.insert(0, "core.confirm.ConfirmMiddleware")

    assert [e.id for e in run_checks() if e.id == "core.E005"] == ["core.E005"]


def test_a_team_is_deleted_only_once_confirmed(owner: Client, acme: Workspace) -> None:
    url = acme.url(f"teams/{acme.team.pk}/delete/")
    form = form_to(owner.get(acme.url("teams/")).content.decode(), url)

    post(owner, url, sent(form))
    assert Team.objects.filter(pk=acme.team.pk).exists()

    post(owner, url, sent(form, confirmed="1"))
    assert not Team.objects.filter(pk=acme.team.pk).exists()


@pytest.mark.parametrize("path", ["/billing/stripe/webhook/", "/auth/saml/999/acs/"])
def test_a_csrf_exempt_endpoint_is_never_asked_about(path: str) -> None:
    """The attack: another site posts a form to an endpoint without CSRF (a provider's
    webhook, an IdP's post) carrying a question of its own, and our "Are you sure?"
    page shows its words to the person."""
    question = {"question": "Your session expired: call +1 555 0100", "detail": "", "button": "Go"}
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        path,
        urlencode({"confirm-ask": json.dumps(question)}),
        content_type="application/x-www-form-urlencoded",
        headers={"Origin": "https://evil.example"},
    )

    assert "Your session expired" not in response.content.decode()
