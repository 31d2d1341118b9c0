"""The CSP and Permissions-Policy headers, built once per process, stay exactly what
django-csp and the settings would give on every request (config/security_headers.py)."""

from __future__ import annotations

from typing import Any

import pytest
from csp.decorators import csp_exempt, csp_update
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import RequestFactory

from config.health import HEALTHZ_BODY
from config.security_headers import CSPMiddleware, PermissionsPolicyMiddleware

CSP = "Content-Security-Policy"


def _page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("page")


def _headers(view: Any, rf: RequestFactory, path: str = "/somewhere/") -> dict[str, str]:
    response = PermissionsPolicyMiddleware(CSPMiddleware(view))(rf.get(path))
    return dict(response.headers)


def test_the_policy_is_the_one_django_csp_builds_and_the_same_on_every_request(
    rf: RequestFactory,
) -> None:
    library = LibraryCSPMiddleware(_page)(rf.get("/somewhere/"))[CSP]

    first, second = _headers(_page, rf), _headers(_page, rf)

    assert first[CSP] == library
    assert first == second
    assert first["Permissions-Policy"] == (
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
    )


def test_changed_settings_change_the_headers_at_once(rf: RequestFactory, settings: Any) -> None:
    before = _headers(_page, rf)
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    settings.PERMISSIONS_POLICY = {"camera": ["self"]}

    changed = _headers(_page, rf)

    assert changed[CSP] == "default-src 'none'"
    assert changed["Permissions-Policy"] == "camera=(self)"
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"]}}
    settings.PERMISSIONS_POLICY = {}
    again = _headers(_page, rf)
    assert again[CSP] == "default-src 'self'"
    assert "Permissions-Policy" not in again
    assert before[CSP] != again[CSP]


def test_excluded_prefixes_and_report_only_are_honoured(rf: RequestFactory, settings: Any) -> None:
    settings.CONTENT_SECURITY_POLICY = {
        "EXCLUDE_URL_PREFIXES": ["/legacy/"],
        "DIRECTIVES": {"default-src": ["'self'"]},
    }
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": ["'self'"]}}

    legacy, page = _headers(_page, rf, "/legacy/x/"), _headers(_page, rf)

    assert CSP not in legacy
    assert page[CSP] == "default-src 'self'"
    assert (
        page["Content-Security-Policy-Report-Only"] == legacy["Content-Security-Policy-Report-Only"]
    )


def test_a_view_with_its_own_policy_or_a_nonce_still_gets_it(rf: RequestFactory) -> None:
    @csp_update({"img-src": ["https://images.example"]})
    def updated(request: HttpRequest) -> HttpResponse:
        return HttpResponse("page")

    def nonce(request: HttpRequest) -> HttpResponse:
        return HttpResponse(str(request.csp_nonce))  # type: ignore[attr-defined]

    exempt = csp_exempt()(_page)

    assert "https://images.example" in _headers(updated, rf)[CSP]
    # The nonce path is the library's own (our policy names no nonce, so the value is equal).
    assert CSPMiddleware(nonce)(rf.get("/"))[CSP] == LibraryCSPMiddleware(nonce)(rf.get("/"))[CSP]
    assert CSP not in _headers(exempt, rf)
    assert _headers(_page, rf)[CSP] == LibraryCSPMiddleware(_page)(rf.get("/"))[CSP]


def test_a_nonce_asked_for_after_the_header_was_written_is_refused(rf: RequestFactory) -> None:
    request = rf.get("/")
    CSPMiddleware(_page)(request)

    with pytest.raises(Exception, match="csp_nonce"):
        str(request.csp_nonce)  # type: ignore[attr-defined]


def test_healthz_body_is_what_json_response_would_send() -> None:
    assert JsonResponse({"status": "ok"}).content == HEALTHZ_BODY
