"""SCIM tests talk HTTP to the live test server, as an identity provider does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from django.utils import timezone

from scim.services import directory_token_rotate
from sso.models import Domain
from tests.accounts.factories import DEFAULT_PASSWORD

SCIM_JSON = "application/scim+json"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


@dataclass
class ScimClient:
    """An IdP's view: the base URL and its bearer token, over a real socket."""

    base_url: str
    token: str
    http: requests.Session

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": SCIM_JSON}
        if body is not None:
            headers["Content-Type"] = SCIM_JSON
        return self.http.request(
            method, self.base_url + path, json=body, headers=headers, timeout=10, **kwargs
        )

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any) -> requests.Response:
        return self.call("POST", path, body)

    def put(self, path: str, body: Any) -> requests.Response:
        return self.call("PUT", path, body)

    def patch(self, path: str, body: Any) -> requests.Response:
        return self.call("PATCH", path, body)

    def delete(self, path: str) -> requests.Response:
        return self.call("DELETE", path)


@pytest.fixture
def unlimited_seats(settings: Any) -> None:
    """The free plan's five seats would stop a full sync; SCIM is tested on its own."""
    plans = {name: dict(plan) for name, plan in settings.BILLING_PLANS.items()}
    for plan in plans.values():
        plan["max_members"] = None
    settings.BILLING_PLANS = plans


@pytest.fixture
def scim_site(live_server: Any, settings: Any, unlimited_seats: None) -> str:
    settings.SITE_URL = live_server.url
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    return live_server.url


def verified_domain(tenant: Any, domain: str) -> Domain:
    """`tenant` has verified `domain` (as sso's DNS check would have)."""
    return Domain.objects.create(
        tenant=tenant, domain=domain, token="t", verified_at=timezone.now()
    )


@pytest.fixture
def corp_domain(acme: Any) -> Domain:
    """Acme owns corp.example (verified): the IdP may link existing accounts there."""
    return verified_domain(acme, "corp.example")


@pytest.fixture
def scim(scim_site: str, acme: Any, owner: Any, corp_domain: Domain) -> Iterator[ScimClient]:
    """Acme's directory, turned on by its owner, as the IdP holds it."""
    token = directory_token_rotate(tenant=acme, acting_user=owner)
    with requests.Session() as http:
        yield ScimClient(base_url=f"{scim_site}/scim/v2/{acme.slug}", token=token, http=http)


@pytest.fixture
def tester_on_corp_domain(monkeypatch: pytest.MonkeyPatch, corp_domain: Domain) -> str:
    """scim2-tester makes up addresses on random domains (`<uuid>@<uuid>.com`), which the
    directory refuses (only verified domains): its generator is wrapped to put them
    on Acme's verified domain instead. Returns that domain."""
    from scim2_tester import filling
    from scim2_tester.checkers import patch_add, patch_replace

    original = filling.generate_random_value
    made_up = re.compile(r"^([^@]+)@[0-9a-f-]{36}\.com$")

    def on_corp_domain(*args: Any, **kwargs: Any) -> Any:
        value = original(*args, **kwargs)
        if isinstance(value, str) and (found := made_up.match(value)):
            return f"{found[1]}@{corp_domain.domain}"
        return value

    for module in (filling, patch_add, patch_replace):
        monkeypatch.setattr(module, "generate_random_value", on_corp_domain)
    return corp_domain.domain


def new_user(user_name: str, **extra: Any) -> dict[str, Any]:
    return {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": user_name, "primary": True, "type": "work"}],
        "active": True,
        **extra,
    }


def signed_in(base_url: str, email: str) -> requests.Session:
    """A person's browser, signed in through the real sign-in form."""
    http = requests.Session()
    page = http.get(f"{base_url}/auth/sign-in/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token is not None
    answer = http.post(
        f"{base_url}/auth/sign-in/",
        data={
            "csrfmiddlewaretoken": token.group(1),
            "email": email,
            "password": DEFAULT_PASSWORD,
        },
        headers={"Referer": f"{base_url}/auth/sign-in/"},
        timeout=10,
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[:500]
    return http
