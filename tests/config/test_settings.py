"""Production settings: `check --deploy` is clean, and weak secrets stop the process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG = "k" * 20 + "3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a"
OLD = "o" * 20 + "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d"
# What a production deployment sets at the least (README, "Deploying").
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": STRONG,
    "SESSION_SECRET": STRONG[::-1],
    "ALLOWED_HOSTS": "example.com",
    "SITE_URL": "https://example.com",
    "RESEND_API_KEY": "re_production_key",
    "TASKS_BACKEND": "database",
    "SUPPORT_EMAIL": "support@example.com",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,  # a ceiling for a hung process; migrations under a loaded CI take a while
    )


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_refuses_a_site_url_left_at_localhost() -> None:
    """Every email link and passkey was made for http://localhost:8000 while the pages
    worked, and `check --deploy` said nothing."""
    production = {k: v for k, v in PRODUCTION.items() if k != "SITE_URL"}
    for site_url in (None, "http://example.com", "https://other.example"):
        env = production if site_url is None else {**production, "SITE_URL": site_url}
        result = _manage("check", "--deploy", "--fail-level", "WARNING", **env)
        assert result.returncode != 0, site_url
        assert "core.E004" in result.stderr + result.stdout, site_url


def test_check_deploy_warns_of_the_in_process_task_backend() -> None:
    """With it, "Forgot password" took 110 ms for an address with an account and 70 ms
    for one without (emails are sent inside the request): an attack told them apart."""
    env = {**PRODUCTION, "TASKS_BACKEND": "immediate"}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "core.W006" in result.stderr + result.stdout


def _production_shell(code: str, **env: str) -> list[str]:
    result = _manage("shell", "-c", code, **{**PRODUCTION, **env})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()


def test_production_refuses_to_print_password_reset_links_to_the_console() -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "RESEND_API_KEY"}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "Email would be printed to the console" in result.stderr

    explicit = _manage("check", **env, EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend")
    assert explicit.returncode == 0, explicit.stderr


def test_a_negative_template_memo_size_stops_the_process() -> None:
    result = _manage("check", **PRODUCTION, TEMPLATE_MEMO_MAX_MB="-1")
    assert result.returncode != 0
    assert "TEMPLATE_MEMO_MAX_MB must be 0 (off) or more, not -1." in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("REDIS_URL", "127.0.0.1:6379"),
        ("REDIS_URL", "http://:s3cret-pw@cache:6379"),
        ("REDIS_CLUSTER_URL", "redis://a:6379,b:6379"),
    ],
)
def test_a_redis_url_without_its_scheme_stops_the_process_at_start(
    variable: str, value: str
) -> None:
    """An operator's `REDIS_URL=127.0.0.1:6379` passed `check --deploy`, then every
    sign-in was a 500 (redis-py refuses it at the limiter's first call)."""
    result = _manage("check", "--deploy", **{**PRODUCTION, variable: value})

    assert result.returncode != 0
    assert f"{variable} must start with redis://, rediss:// or unix://" in result.stderr
    assert "s3cret-pw" not in result.stderr  # a URL may hold a password: never repeated


def test_stripe_without_its_webhook_secret_fails_the_deploy_check() -> None:
    """It was a warning: `check --deploy` exited 0, and every Stripe webhook was then
    refused, so no payment ever changed a subscription."""
    stripe = {"STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_PRICE_PRO": "price_pro"}

    without = _manage("check", "--deploy", **{**PRODUCTION, **stripe})
    with_secret = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **{**PRODUCTION, **stripe, "STRIPE_WEBHOOK_SECRET": "whsec_x"},
    )

    assert without.returncode != 0 and "billing.E007" in without.stderr
    # A deploy check only: migrate and the task worker (plain checks) still start.
    plain = _manage("check", **{**PRODUCTION, **stripe})
    assert plain.returncode == 0 and "billing.E007" not in plain.stderr, plain.stderr
    assert with_secret.returncode == 0, with_secret.stderr


def test_a_redis_url_redis_py_accepts_is_accepted() -> None:
    """The check refused `REDIS://…` (redis-py reads schemes in any case) and let
    " redis://…" through, which redis-py then refused at the first request."""
    for value in ("REDIS://127.0.0.1:6379/0", " redis://127.0.0.1:6379/0"):
        result = _manage(
            "shell",
            "-c",
            "from django.core.cache import cache; print(cache.get('x', 'ok'))",
            REDIS_URL=value,
        )
        assert result.returncode == 0, (value, result.stderr[-800:])
        assert result.stdout.strip().splitlines()[-1] == "ok", value


def test_a_mistyped_pooler_stops_the_process_at_start() -> None:
    """`DATABASE_POOLER=pgbouncr` kept prepared statements on behind PgBouncer."""
    result = _manage("check", DATABASE_POOLER="pgbouncr")

    assert result.returncode != 0
    assert "DATABASE_POOLER must be empty or pgbouncer, not 'pgbouncr'." in result.stderr


def test_a_mistyped_task_backend_or_file_types_list_is_said_not_raised_as_a_traceback() -> None:
    """`TASKS_BACKEND=db` stopped the process with `KeyError: 'db'`, and
    `UPLOADS_FILE_TYPES=pdf` with django-environ's "dictionary update sequence"."""
    tasks = _manage("check", TASKS_BACKEND="db")
    types = _manage("check", UPLOADS_FILE_TYPES="pdf")

    assert tasks.returncode != 0 and types.returncode != 0
    assert "TASKS_BACKEND must be immediate or database, not 'db'." in tasks.stderr
    assert "KeyError" not in tasks.stderr
    assert "UPLOADS_FILE_TYPES must be extension=content-type pairs" in types.stderr


def test_the_free_plans_limits_come_from_the_environment() -> None:
    """A self-hosted server (billing off: everyone on Free) raises or lifts its caps."""
    code = "from django.conf import settings as s; f = s.BILLING_PLANS['free']; "
    code += "print(f['max_members'], f['max_storage_mb'])"
    assert _production_shell(code)[-1] == "5 100"
    lifted = _production_shell(
        code, BILLING_FREE_MAX_MEMBERS="none", BILLING_FREE_MAX_STORAGE_MB="2048"
    )
    assert lifted[-1] == "None 2048"

    result = _manage("check", **PRODUCTION, BILLING_FREE_MAX_MEMBERS="ten")
    assert result.returncode != 0
    assert "BILLING_FREE_MAX_MEMBERS must be a whole number or none, not 'ten'." in result.stderr


def test_production_session_and_csrf_cookies_are_host_prefixed() -> None:
    """A sibling subdomain (or a man in the middle on http://) cannot plant either."""
    lines = _production_shell(
        "from django.conf import settings as s\n"
        "from django.test import Client, override_settings\n"
        "plain = {'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}\n"
        "with override_settings(STORAGES={**s.STORAGES, 'staticfiles': plain}):\n"
        "    r = Client().get('/auth/sign-in/', secure=True, HTTP_HOST='example.com')\n"
        "print(s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE)\n"
        "print(r.cookies[s.CSRF_COOKIE_NAME].OutputString())"
    )
    assert lines[-2] == "__Host-pacetrack-session True"
    csrf = [part.strip() for part in lines[-1].split(";")]
    assert csrf[0].startswith("__Host-csrftoken=")
    assert {"Secure", "Path=/", "SameSite=Lax"} <= set(csrf)
    assert not any(part.lower().startswith("domain=") for part in csrf)


def test_previous_secrets_are_accepted_from_the_environment_for_rotation() -> None:
    lines = _production_shell(
        "import json\n"
        "from django.conf import settings as s\n"
        "print(json.dumps([s.SECRET_KEY_FALLBACKS, s.SESSION_SECRET_FALLBACKS]))",
        SECRET_KEY_FALLBACKS=OLD,
        SESSION_SECRET_FALLBACKS=f"{OLD[::-1]},{OLD.upper()}",
    )
    assert json.loads(lines[-1]) == [[OLD], [OLD[::-1], OLD.upper()]]


def test_a_weak_previous_secret_is_refused_like_a_weak_secret() -> None:
    result = _manage("check", **PRODUCTION, SESSION_SECRET_FALLBACKS="short")
    assert result.returncode != 0
    assert "SESSION_SECRET_FALLBACKS is missing or weak" in result.stderr


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _manage("check", DEBUG="false", SECRET_KEY="", SESSION_SECRET=STRONG)
    assert result.returncode != 0
    assert "SECRET_KEY is missing or weak" in result.stderr


def test_production_refuses_a_weak_session_secret() -> None:
    result = _manage("check", DEBUG="false", SECRET_KEY=STRONG, SESSION_SECRET="short")
    assert result.returncode != 0
    assert "SESSION_SECRET is missing or weak" in result.stderr


def test_saml_finds_xmlsec1_on_path_or_where_sso_saml_xmlsec1_says(tmp_path: Path) -> None:
    """Homebrew installs xmlsec1 in /opt/homebrew/bin, not /usr/bin: found on PATH, or
    named by the operator, so SAML works outside Debian too."""
    program = tmp_path / "xmlsec1"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    code = "from django.conf import settings; print(settings.SSO_SAML_XMLSEC1)"

    on_path = _production_shell(code, PATH=f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    named = _production_shell(code, SSO_SAML_XMLSEC1="/opt/xmlsec/bin/xmlsec1")

    assert on_path[-1] == str(program)
    assert named[-1] == "/opt/xmlsec/bin/xmlsec1"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WEBHOOKS_ALLOW_PRIVATE", "true"),
        ("SSO_ALLOW_HTTP_ISSUERS", "true"),
        ("SSO_METADATA_ALLOW_PRIVATE", "true"),
        ("RATELIMIT_ENABLED", "false"),
        ("MFA_ADMIN_REQUIRED", "false"),
        ("BENCH_ENDPOINTS", "true"),
    ],
)
def test_check_deploy_warns_of_a_development_switch_left_on(name: str, value: str) -> None:
    """An operator turned each of these on in production and `check --deploy` said
    "no issues" (three of them open server-side request forgery)."""
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, **{name: value})

    assert result.returncode != 0
    assert f"(core.W007) {name} is" in result.stdout + result.stderr


def test_check_deploy_warns_of_any_host_allowed() -> None:
    env = {**PRODUCTION, "ALLOWED_HOSTS": "*"}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **env)

    assert result.returncode != 0
    assert "(core.W008) ALLOWED_HOSTS is '*'" in result.stdout + result.stderr


def test_check_deploy_warns_without_a_support_address() -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "SUPPORT_EMAIL"}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **env)

    assert result.returncode != 0
    assert "(core.W009) SUPPORT_EMAIL is not set" in result.stdout + result.stderr


def test_a_management_command_logs_nothing_of_its_libraries_at_info() -> None:
    """Every start and every command printed pysaml2's schema library's
    "INFO xmlschema: Resource 'XMLSchema.xsd' is already loaded" into the logs."""
    result = _manage("check", LOG_LEVEL="INFO")

    assert result.returncode == 0, result.stderr
    assert "xmlschema" not in result.stderr, result.stderr
