"""System checks for our engine, middleware and (in production) the cookie."""

from __future__ import annotations

from typing import Any

from sessions_app.checks import check_csrf_cookie, check_engine_and_middleware, check_session_cookie


def _production(settings: Any) -> None:
    """The cookie settings config/settings.py produces with DEBUG off."""
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SESSION_COOKIE_NAME = "__Host-pacetrack-session"
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"


def test_project_settings_pass(settings: Any) -> None:
    _production(settings)
    assert check_engine_and_middleware() == []
    assert check_session_cookie() == []
    assert check_csrf_cookie() == []


def test_django_engine_is_reported_with_the_fix(settings: Any) -> None:
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    (error,) = check_engine_and_middleware()
    assert error.id == "sessions_app.E001"
    assert 'SESSION_ENGINE = "sessions_app.backends.db"' in error.hint


def test_django_middleware_is_reported_with_the_replacement(settings: Any) -> None:
    settings.MIDDLEWARE = [
        "django.contrib.sessions.middleware.SessionMiddleware",
        "sessions_app.middleware.AuthenticationMiddleware",
    ]
    (error,) = check_engine_and_middleware()
    assert error.id == "sessions_app.E002"
    assert error.hint == (
        'Replace "django.contrib.sessions.middleware.SessionMiddleware" with '
        '"sessions_app.middleware.SessionMiddleware" in MIDDLEWARE.'
    )


def test_middleware_order_is_checked(settings: Any) -> None:
    settings.MIDDLEWARE = [
        "sessions_app.middleware.AuthenticationMiddleware",
        "sessions_app.middleware.SessionMiddleware",
    ]
    assert [e.id for e in check_engine_and_middleware()] == ["sessions_app.E003"]


def test_insecure_cookie_settings_fail_the_deploy_check(settings: Any) -> None:
    _production(settings)
    settings.SESSION_COOKIE_SECURE = False
    settings.SESSION_COOKIE_HTTPONLY = False
    settings.SESSION_COOKIE_SAMESITE = "None"
    assert [e.id for e in check_session_cookie()] == [
        "sessions_app.E010",
        "sessions_app.E011",
        "sessions_app.E012",
    ]


def test_cookies_a_sibling_subdomain_could_plant_fail_the_deploy_check(settings: Any) -> None:
    """Without __Host-, evil.example.com can set a session or CSRF cookie for example.com."""
    _production(settings)
    settings.SESSION_COOKIE_NAME = "pacetrack-session"
    settings.SESSION_COOKIE_DOMAIN = ".example.com"
    settings.CSRF_COOKIE_NAME = "csrftoken"
    settings.CSRF_COOKIE_PATH = "/app/"

    assert [e.id for e in check_session_cookie()] == ["sessions_app.E013", "sessions_app.E014"]
    assert [e.id for e in check_csrf_cookie()] == ["sessions_app.E023", "sessions_app.E024"]


def test_an_insecure_or_cross_site_csrf_cookie_fails_the_deploy_check(settings: Any) -> None:
    _production(settings)
    settings.CSRF_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SAMESITE = "None"
    assert [e.id for e in check_csrf_cookie()] == ["sessions_app.E020", "sessions_app.E022"]
