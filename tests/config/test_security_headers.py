"""Security headers on public pages, signed-in pages and /serve/, and the password policy."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

import config.settings as production
from tests.config.test_settings import PRODUCTION, _manage
from tests.config.urlcrawl import every_url
from tests.tenants.factories import add_member
from tests.uploads.conftest import make_image
from uploads import images
from uploads import services as upload_services

pytestmark = pytest.mark.django_db

PAGE_HEADERS = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def _directives(response: Any) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in policy.split(";"))
        if part
    }


def _assert_page_headers(response: Any) -> None:
    for header, value in PAGE_HEADERS.items():
        assert response[header] == value, header
    csp = _directives(response)
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"  # no 'unsafe-inline', no nonce needed
    assert csp["style-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["form-action"] == "'self'"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.fixture(autouse=True)
def _production_hsts(settings: Any) -> None:
    """The values production gets with DEBUG off (asserted below), whatever .env says."""
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True


def test_production_settings_turn_on_hsts_and_https_only_cookies() -> None:
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, "
        "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "31536000",
        "True",
        "True",
        "True",
        "True",
        "True",
    ]


def test_an_apex_domain_can_keep_hsts_to_its_own_host() -> None:
    """An operator serving the app at example.com, whose other subdomains still use
    http, could not turn off includeSubDomains and preload (fixed in settings)."""
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)",
        **PRODUCTION,
        SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        SECURE_HSTS_PRELOAD="false",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["False", "False"]


def test_public_page_sends_every_security_header(client: Any) -> None:
    response = client.get("/auth/sign-in/", secure=True)

    assert response.status_code == 200
    _assert_page_headers(response)


def test_signed_in_tenant_page_sends_every_security_header(owner_client: Any, acme: Any) -> None:
    response = owner_client.get(f"/t/{acme.slug}/members/", secure=True)

    assert response.status_code == 200
    _assert_page_headers(response)


def test_htmx_gets_the_csrf_token_from_a_meta_tag_and_no_inline_script(auth_client: Any) -> None:
    html = auth_client.get("/account/").content.decode()

    assert '<meta name="csrf-token" content="' in html
    assert "hx-headers" not in html
    assert "<script>" not in html and " onclick=" not in html and " onsubmit=" not in html
    assert 'src="/static/app.js"' in html


def _member_file(acme: Any, owner: Any) -> Any:
    return upload_services.upload_create(
        tenant=acme,
        uploaded_by=owner,
        file=ContentFile(b"hello", name="notes.txt"),
        extension="txt",
        content_type="text/plain",
    )


def test_serve_keeps_its_own_sandbox_policy(client: Any, acme: Any, owner: Any) -> None:
    upload = _member_file(acme, owner)
    client.force_login(owner)

    response = client.get(f"/serve/{upload.key}", secure=True)

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


def test_an_injected_base_tag_cannot_redirect_relative_links() -> None:
    assert production.CONTENT_SECURITY_POLICY["DIRECTIVES"]["base-uri"] == ["'none'"]


# --- Caching of signed-in responses ----------------------------------------------------


def _cache_control(response: Any) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


def test_no_signed_in_response_can_be_kept_by_a_shared_or_browser_cache(
    owner_client: Any, acme: Any, settings: Any
) -> None:
    """Someone at the same computer later, or a proxy, must not get a signed-in page."""
    settings.RATELIMIT_ENABLED = False  # the crawl is more than a person's budget
    answers = {url: owner_client.get(url) for url in every_url(tenant_slug=acme.slug)}

    cached = {
        url: r.get("Cache-Control")
        for url, r in answers.items()
        if "no-store" not in _cache_control(r) and not {"private", "no-cache"} <= _cache_control(r)
    }
    assert cached == {}
    assert answers[f"/t/{acme.slug}/"].status_code == 200  # the crawl saw real pages


def test_anonymous_public_pages_get_no_private_cache_header(client: Any) -> None:
    assert "Cache-Control" not in client.get("/")


def test_member_files_keep_etag_revalidation_with_private_no_cache(
    client: Any, acme: Any, owner: Any
) -> None:
    upload = _member_file(acme, owner)
    client.force_login(add_member(acme).user)

    first = client.get(f"/serve/{upload.key}")
    again = client.get(f"/serve/{upload.key}", headers={"If-None-Match": first["ETag"]})

    assert first["Cache-Control"] == "private, no-cache"
    assert again.status_code == 304
    assert again["Cache-Control"] == "private, no-cache"


def test_sign_out_tells_the_browser_to_drop_cached_pages_and_cookies(auth_client: Any) -> None:
    response = auth_client.post("/auth/sign-out/")

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "cookies"'


# --- /serve ------------------------------------------------------------------------------


def test_other_sites_cannot_embed_files_or_probe_for_them(
    client: Any, acme: Any, owner: Any
) -> None:
    data = make_image("PNG", (64, 64))
    logo = upload_services.logo_update(
        tenant=acme,
        image=images.image_normalize(io.BytesIO(data), size=len(data)),
        acting_user=owner,
    )
    member_file = _member_file(acme, owner)
    public = client.get(f"/serve/{logo.key}")
    hidden = client.get(f"/serve/{member_file.key}")  # anonymous: 404, not 403
    missing = client.get(f"/serve/tenant-{acme.pk}/nothere.png")
    malformed = client.get("/serve/etc/passwd")
    client.force_login(owner)
    member = client.get(f"/serve/{member_file.key}")
    revalidated = client.get(f"/serve/{member_file.key}", headers={"If-None-Match": member["ETag"]})

    answers = [public, hidden, missing, malformed, member, revalidated]
    assert [r.status_code for r in answers] == [200, 404, 404, 404, 200, 304]
    assert all(r["Cross-Origin-Resource-Policy"] == "same-origin" for r in answers)
    # A "not found" is never cached: the file may exist, or become visible, later.
    assert all(r["Cache-Control"] == "no-store" for r in (hidden, missing, malformed))
    assert public["Cache-Control"] == "public, max-age=86400"


def test_checkout_redirects_to_stripe_are_allowed_by_form_action_only_with_stripe() -> None:
    # The test settings run without STRIPE_SECRET_KEY: only 'self'.
    assert production.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] == ["'self'"]


def test_passwords_are_hashed_with_argon2_in_production() -> None:
    # conftest swaps in a fast hasher for tests; the settings module keeps the real list.
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    import argon2  # noqa: F401  (argon2-cffi must be installed for that hasher)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Tr0ub4dor", "at least 10 characters"),
        ("password123", "too common"),
        ("8461937205", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused(password: str, message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_password(password)
    assert message in " ".join(excinfo.value.messages)


def test_a_long_unusual_password_is_accepted() -> None:
    validate_password("correct horse battery staple")
