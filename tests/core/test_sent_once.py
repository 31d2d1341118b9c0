"""Reloading the page that shows a secret once (or going Back to it) sends its POST
again. It used to make a second API key or webhook endpoint, or replace the SCIM token,
the signing secret or the recovery codes just saved elsewhere, silently breaking them. Each
of those forms now carries a one-time field: the repeat makes nothing and says why."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from api.models import ApiKey
from core.models import AuditEvent
from mfa.models import RecoveryCode
from scim.models import Directory
from tenants.models import Tenant
from tests.mfa.helpers import enable_totp
from webhooks.models import Endpoint
from webhooks.services import endpoint_create

pytestmark = pytest.mark.django_db

REPEATED = "That form was sent already, so nothing new was made."


@dataclass
class Form:
    name: str
    page: Callable[[Any], str]  # the page the form is on (GET)
    action: Callable[[Any], str]
    data: dict[str, Any]
    state: Callable[[Any], Any]  # what a second run would change
    prepare: Callable[[Any], Any] = lambda owner: None


def _endpoint(acme: Any) -> Endpoint:
    return Endpoint.objects.get(tenant=acme)


FORMS = [
    Form(
        "create an API key",
        page=lambda acme: f"/t/{acme.slug}/settings/api-keys/",
        action=lambda acme: f"/t/{acme.slug}/settings/api-keys/new/",
        data={"name": "Deploy", "scopes": [], "expires": "30"},
        state=lambda acme: list(ApiKey.objects.values_list("pk", flat=True)),
    ),
    Form(
        "make the SCIM token",
        page=lambda acme: f"/t/{acme.slug}/settings/scim/",
        action=lambda acme: f"/t/{acme.slug}/settings/scim/token/",
        data={},
        state=lambda acme: list(Directory.objects.values_list("token_hash", flat=True)),
    ),
    Form(
        "add a webhook endpoint",
        page=lambda acme: f"/t/{acme.slug}/settings/webhooks/",
        action=lambda acme: f"/t/{acme.slug}/settings/webhooks/new/",
        data={"url": "http://127.0.0.1:9/in", "event_types": ["member.added"]},
        state=lambda acme: list(Endpoint.objects.values_list("pk", flat=True)),
    ),
    Form(
        "make new recovery codes",
        page=lambda acme: "/account/security/",
        action=lambda acme: "/account/security/recovery-codes/",
        data={},
        state=lambda acme: sorted(RecoveryCode.objects.values_list("code_hash", flat=True)),
        prepare=enable_totp,
    ),
    Form(
        "rotate a signing secret",
        page=lambda acme: f"/t/{acme.slug}/settings/webhooks/{_endpoint(acme).pk}/",
        action=lambda acme: f"/t/{acme.slug}/settings/webhooks/{_endpoint(acme).pk}/rotate/",
        data={},
        state=lambda acme: _endpoint(acme).secret,
    ),
]


@pytest.fixture
def public_hooks(settings: Any) -> None:
    """Webhook URLs on loopback (none is called here): production refuses them."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True


@pytest.mark.parametrize("form", FORMS, ids=[f.name for f in FORMS])
def test_a_reloaded_answer_makes_nothing_new(
    client: Any, acme: Any, owner: Any, form: Form, public_hooks: None
) -> None:
    endpoint_create(
        tenant=acme,
        url="http://127.0.0.1:9/existing",
        description="",
        event_types=["team.created"],
        acting_user=owner,
    )
    form.prepare(owner)
    client.force_login(owner)
    page = client.get(form.page(acme)).content.decode()
    action = re.escape(form.action(acme))
    once = re.search(
        rf'action="{action}"[^>]*>\s*<input type="hidden" name="once" value="([^"]+)"', page
    )
    assert once, "the form carries its one-time field"
    data = {**form.data, "once": once.group(1)}

    first = client.post(form.action(acme), data)
    assert first.status_code == 200
    after_first = form.state(acme)
    events = AuditEvent.objects.count()

    again = client.post(form.action(acme), data, follow=True)  # the reload

    assert again.redirect_chain[-1][0] == form.page(acme)
    assert REPEATED in again.content.decode()
    assert form.state(acme) == after_first
    assert AuditEvent.objects.count() == events


def test_each_rendering_of_the_form_can_be_sent_once(client: Any, acme: Any, owner: Any) -> None:
    """A new page (after a mistake, or the next key) brings a new field."""
    client.force_login(owner)
    url = f"/t/{acme.slug}/settings/api-keys/"
    for name in ("One", "Two"):
        once = re.search(r'name="once" value="([^"]+)"', client.get(url).content.decode())
        assert once
        made = client.post(
            url + "new/", {"name": name, "scopes": [], "expires": "30", "once": once.group(1)}
        )
        assert made.status_code == 200
    assert sorted(ApiKey.objects.values_list("name", flat=True)) == ["One", "Two"]


def test_a_refused_form_may_be_sent_again(client: Any, acme: Any, owner: Any) -> None:
    """A reload of a refusal (a key with no name) shows the refusal again, with what
    was typed; it said "sent already" and lost the form."""
    client.force_login(owner)
    url = f"/t/{acme.slug}/settings/api-keys/"
    once = re.search(r'name="once" value="([^"]+)"', client.get(url).content.decode())
    assert once
    data = {"name": "", "scopes": [], "expires": "30", "once": once.group(1)}
    for _ in range(2):
        refused = client.post(url + "new/", data)
        assert refused.status_code == 400
        assert REPEATED not in refused.content.decode()
    data["name"] = "Deploy"
    assert client.post(url + "new/", data).status_code == 200
    assert list(ApiKey.objects.values_list("name", flat=True)) == ["Deploy"]


def test_creating_an_organisation_again_from_the_same_form_opens_the_one_made(
    client: Any, owner: Any
) -> None:
    """Back to the filled-in "New organisation" form and "Create organisation" again
    made a second organisation of the same name, the two told apart nowhere."""
    client.force_login(owner)
    page = client.get("/account/tenants/new/").content.decode()
    once = re.search(r'name="once" value="([^"]+)"', page)
    assert once, "the form carries its one-time field"
    data = {"name": "Newco Labs", "account": "new", "once": once.group(1)}

    first = client.post("/account/tenants/new/", data)
    again = client.post("/account/tenants/new/", data, follow=True)

    [made] = Tenant.objects.filter(name="Newco Labs")
    assert first.status_code == 302 and first["Location"] == f"/t/{made.slug}/"
    assert again.redirect_chain == [(f"/t/{made.slug}/", 302)]
    assert "That form was sent already, so no second organisation was made." in (
        again.content.decode()
    )


def test_an_organisation_form_refused_for_its_name_may_be_sent_again(
    client: Any, owner: Any
) -> None:
    client.force_login(owner)
    page = client.get("/account/tenants/new/").content.decode()
    once = re.search(r'name="once" value="([^"]+)"', page)
    assert once
    data = {"name": "", "account": "new", "once": once.group(1)}

    assert client.post("/account/tenants/new/", data).status_code == 400
    data["name"] = "Newco Labs"
    made = client.post("/account/tenants/new/", data)

    assert made.status_code == 302
    assert Tenant.objects.filter(name="Newco Labs").count() == 1


def test_a_repeat_goes_only_to_a_path_of_this_site(client: Any, owner: Any) -> None:
    """Where a repeat is sent is what the first answer said; a value that is not a path
    of this site ("/\\\\evil.com" browsers follow elsewhere) sends it back to the form's
    page instead."""
    from django.core.cache import cache

    client.force_login(owner)
    cache.set(f"sent-once:{owner.pk}:tok", "/\\\\evil.example", 60)

    again = client.post("/account/tenants/new/", {"name": "X", "account": "new", "once": "tok"})

    assert again.status_code == 302 and again["Location"] == "/account/tenants/"
