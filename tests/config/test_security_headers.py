"""Security headers on public pages, signed-in pages and /serve/, and the password policy."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

import config.settings as production
from tests.config.test_settings import STRONG, _manage
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
    assert csp["base-uri"] == "'self'"
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
        DEBUG="false",
        SECRET_KEY=STRONG,
        SESSION_SECRET=STRONG[::-1],
        ALLOWED_HOSTS="example.com",
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


def test_public_page_sends_every_security_header(client: Any) -> None:
    response = client.get("/auth/sign-in/", secure=True)

    assert response.status_code == 200
    _assert_page_headers(response)


def test_signed_in_tenant_page_sends_every_security_header(auth_client: Any, org: Any) -> None:
    response = auth_client.get(f"/t/{org.slug}/members/", secure=True)

    assert response.status_code == 200
    _assert_page_headers(response)


def test_htmx_gets_the_csrf_token_from_a_meta_tag_and_no_inline_script(auth_client: Any) -> None:
    html = auth_client.get("/account/").content.decode()

    assert '<meta name="csrf-token" content="' in html
    assert "hx-headers" not in html
    assert "<script>" not in html and " onclick=" not in html and " onsubmit=" not in html
    assert 'src="/static/app.js"' in html


def test_serve_keeps_its_own_sandbox_policy(client: Any, org: Any, user: Any) -> None:
    upload = upload_services.upload_create(
        tenant=org,
        uploaded_by=user,
        file=ContentFile(b"hello", name="notes.txt"),
        extension="txt",
        content_type="text/plain",
    )
    client.force_login(user)

    response = client.get(f"/serve/{upload.key}", secure=True)

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


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
