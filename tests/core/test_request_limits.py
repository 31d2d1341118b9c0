"""Methods no view serves answer 405 on every URL, and bodies larger than an endpoint
accepts answer 413 before they are read.

The crawl takes every route from the URL resolver, so a page added later is covered
without touching this file.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from core.request_limits import ALLOWED_METHODS
from tests.config.urlcrawl import every_url

pytestmark = pytest.mark.django_db


URLS = every_url()


def test_the_crawl_covers_the_whole_site() -> None:
    assert {"/", "/auth/sign-in/", "/account/avatar/preview/", "/admin/"} <= set(URLS)
    assert "/t/acme/files/logo/" in URLS and "/serve/sample/sample" in URLS


def _unsupported(url: str, method: str) -> bool:
    """Every URL refuses the method, but the protocol paths that declared it (SCIM), or
    every method (the JSON API: tests/api/test_errors.py)."""
    return not any(
        url.startswith(prefix) and (method in methods or "*" in methods)
        for prefix, methods in settings.EXTRA_METHODS_BY_PATH_PREFIX.items()
    )


@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND"])
def test_trace_and_other_unsupported_methods_answer_405_on_every_url(
    auth_client: Any, method: str
) -> None:
    answers = {url: auth_client.generic(method, url) for url in URLS if _unsupported(url, method)}

    wrong = {url: r.status_code for url, r in answers.items() if r.status_code != 405}
    assert wrong == {}
    assert all(r["Allow"] == ", ".join(ALLOWED_METHODS) for r in answers.values())


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_scim_paths_alone_let_put_patch_and_delete_through(auth_client: Any, method: str) -> None:
    """They reach the SCIM view, which wants its bearer token (a session is not enough)."""
    scim = [url for url in URLS if url.startswith("/scim/v2/")]

    answers = {url: auth_client.generic(method, url).status_code for url in scim}

    assert scim and set(answers.values()) == {401}
    assert auth_client.generic(method, "/t/acme/scim/v2/x").status_code == 405


def test_trace_does_not_echo_the_request_back(client: Any) -> None:
    response = client.generic("TRACE", "/", HTTP_COOKIE="pacetrack-session=secret-value")
    assert response.status_code == 405
    assert b"secret-value" not in response.content


def test_get_head_and_post_still_reach_the_views(client: Any) -> None:
    assert client.get("/auth/sign-in/").status_code == 200
    assert client.head("/").status_code == 200
    assert client.post("/auth/sign-in/", {"email": "", "password": ""}).status_code == 200


# --- A browser opening a form's address -----------------------------------------------

BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}


def test_no_address_shows_a_browser_a_bare_405_it_goes_up_to_its_page_instead(
    owner_client: Any, acme: Any
) -> None:
    """After a refused form the address bar shows its POST-only address: reloading,
    bookmarking or sharing it used to show the browser's own "HTTP ERROR 405"."""
    assert acme.slug == "acme"
    answers = {url: owner_client.get(url, **BROWSER) for url in URLS}

    assert {url for url, r in answers.items() if r.status_code == 405} == set()
    moved = {url: r["Location"] for url, r in answers.items() if r.status_code == 302}
    assert moved["/account/password/"] == "/account/"
    assert moved["/t/acme/settings/delete/"] == "/t/acme/settings/"
    assert moved["/t/acme/teams/new/"] == "/t/acme/teams/"


def test_the_way_up_keeps_the_mount_point_and_says_what_chose_it(auth_client: Any) -> None:
    """Under a mount ("/app") the redirect stays inside it; at the root ("/") it is a
    plain path, never "//account/" (a browser reads that as the host "account")."""
    at_root = auth_client.get("/account/password/", SCRIPT_NAME="/", **BROWSER)
    mounted = auth_client.get("/account/password/", SCRIPT_NAME="/app", **BROWSER)
    head = auth_client.head("/account/password/", **BROWSER)

    assert at_root["Location"] == "/account/"
    assert mounted["Location"] == "/app/account/"
    assert head.status_code == 302 and head["Location"] == "/account/"
    assert {"Accept", "HX-Request"} <= {v.strip() for v in at_root["Vary"].split(",")}


def test_api_clients_and_htmx_still_get_the_405(auth_client: Any) -> None:
    assert auth_client.get("/account/password/").status_code == 405  # no Accept: text/html
    htmx = auth_client.get("/account/password/", HTTP_HX_REQUEST="true", **BROWSER)
    assert htmx.status_code == 405


# --- Bodies larger than the endpoint accepts ------------------------------------------


def test_a_huge_body_to_a_page_without_uploads_is_refused_before_it_is_read(
    auth_client: Any, settings: Any
) -> None:
    # The body is small; Content-Length claims 120 MB. Reading it would fail the test
    # client's payload ("Cannot read more than the available bytes").
    response = auth_client.post(
        "/account/",
        b"name=x",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(120 * 1024 * 1024),
    )

    assert response.status_code == 413
    assert "nothing was saved" in response.content.decode()


def test_a_body_within_django_s_form_limit_is_accepted(auth_client: Any, user: Any) -> None:
    response = auth_client.post("/account/", {"name": "Ann " + "x" * 100})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.name.startswith("Ann ")
