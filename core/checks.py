"""System checks for core's middleware, template libraries, DNS server settings and, in
production, the site's own address."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.http.request import validate_host
from django.template.backends.django import get_template_tag_modules

from core.dns import servers_refused

HTMX_MESSAGES = "core.htmx.HtmxMessagesMiddleware"
MESSAGES = "django.contrib.messages.middleware.MessageMiddleware"


def check_htmx_messages_order(**kwargs: Any) -> list[CheckMessage]:
    """Toasts read the messages before MessageMiddleware stores what is unread, so it
    must wrap HtmxMessagesMiddleware; above it, every message would show twice."""
    middleware = list(settings.MIDDLEWARE)
    if HTMX_MESSAGES not in middleware:
        return []
    if MESSAGES in middleware and middleware.index(MESSAGES) < middleware.index(HTMX_MESSAGES):
        return []
    return [
        Error(
            f"{HTMX_MESSAGES} must come after {MESSAGES} in MIDDLEWARE.",
            hint=f"Put {HTMX_MESSAGES!r} below {MESSAGES!r}.",
            id="core.E001",
        )
    ]


CONFIRM = "core.confirm.ConfirmMiddleware"
CSRF = "django.middleware.csrf.CsrfViewMiddleware"


def check_confirm_order(**kwargs: Any) -> list[CheckMessage]:
    """The confirmation page carries a fresh CSRF token and the form's fields: it must
    answer only a POST that CSRF has already let through."""
    middleware = list(settings.MIDDLEWARE)
    if CONFIRM not in middleware:
        return []
    if CSRF in middleware and middleware.index(CSRF) < middleware.index(CONFIRM):
        return []
    return [
        Error(
            f"{CONFIRM} must come after {CSRF} in MIDDLEWARE.",
            hint=f"Put {CONFIRM!r} at the end of MIDDLEWARE, below {CSRF!r}.",
            id="core.E005",
        )
    ]


def check_template_library_names(**kwargs: Any) -> list[CheckMessage]:
    """Django's templates.W003, silenced for a TEMPLATES `libraries` entry that replaces
    one of Django's own libraries on purpose (`i18n`, config/settings.py): two apps
    shipping the same library name still warn (one would shadow the other)."""
    modules: defaultdict[str, set[str]] = defaultdict(set)
    for name, path in get_template_tag_modules():
        modules[name].add(path)
    chosen: dict[str, str] = {}
    engines: list[dict[str, Any]] = settings.TEMPLATES
    for engine in engines:
        options: dict[str, Any] = engine.get("OPTIONS", {})
        chosen.update(options.get("libraries", {}))
    for name, path in chosen.items():
        modules[name].add(path)
    warnings: list[CheckMessage] = []
    for name, paths in sorted(modules.items()):
        others = paths - {chosen.get(name)}
        if len(others) == 1 and next(iter(others)).startswith("django.templatetags."):
            continue  # Django's library, replaced by the one settings name
        if len(paths) > 1:
            warnings.append(
                Warning(
                    f"{name!r} is used for multiple template tag modules: "
                    + ", ".join(repr(p) for p in sorted(paths)),
                    id="core.W003",
                )
            )
    return warnings


DNS_SERVER_SETTINGS = ("SSO_DNS_NAMESERVERS", "WEBHOOKS_DNS_SERVERS")


def check_dns_servers(**kwargs: Any) -> list[CheckMessage]:
    """A DNS server setting that cannot be used would only show when a domain is
    verified or a webhook sent; say so when the process starts instead."""
    return [
        Error(f"{name}: {reason}", id="core.E002")
        for name in DNS_SERVER_SETTINGS
        for reason in servers_refused(getattr(settings, name, []))
    ]


def check_site_url(**kwargs: Any) -> list[CheckMessage]:
    """Production only (`check --deploy`): SITE_URL is the address every email link,
    redirect and passkey is made for; left at its default, they all point at
    localhost while the pages work, so nothing else shows it."""
    parts = urlsplit(settings.SITE_URL)
    host = parts.hostname or ""
    if parts.scheme == "https" and host and validate_host(host, settings.ALLOWED_HOSTS):
        return []
    return [
        Error(
            f"SITE_URL is {settings.SITE_URL!r}: links in emails and passkeys would be made "
            "for it, and it is not an https:// address of a host in ALLOWED_HOSTS.",
            hint="Set SITE_URL to the address people open, e.g. https://example.com.",
            id="core.E004",
        )
    ]


def check_tasks_backend(**kwargs: Any) -> list[CheckMessage]:
    """Production only (`check --deploy`): the in-process task backend runs every email
    inside the request that queued it. Pages wait on the provider, a failed send is not
    retried later, and the time "Forgot password" takes says whether the address has an
    account (an attack measured 110 against 70 ms)."""
    backend = settings.TASKS["default"]["BACKEND"]
    if not backend.endswith("ImmediateBackend"):
        return []
    return [
        Warning(
            "TASKS_BACKEND is immediate: emails and webhooks run inside the request that "
            "queued them (slower pages, no retry later, and a password-reset request takes "
            "longer for an address that has an account).",
            hint="Set TASKS_BACKEND=database and run `python manage.py db_worker`.",
            id="core.W006",
        )
    ]


# Switches meant for tests, development or a benchmark, each with what it opens in
# production. `check --deploy` said "no issues" with every one of them on.
DEVELOPMENT_SWITCHES: tuple[tuple[str, bool, str], ...] = (
    (
        "WEBHOOKS_ALLOW_PRIVATE",
        True,
        "webhooks may be sent to loopback and private addresses (server-side request "
        "forgery into your network)",
    ),
    (
        "SSO_ALLOW_HTTP_ISSUERS",
        True,
        "identity providers may be reached over plain http (their tokens readable and "
        "forgeable on the way)",
    ),
    (
        "SSO_METADATA_ALLOW_PRIVATE",
        True,
        "SAML metadata may be fetched from loopback and private addresses (server-side "
        "request forgery)",
    ),
    ("RATELIMIT_ENABLED", False, "nothing limits password guessing or email sending"),
    ("MFA_ADMIN_REQUIRED", False, "staff reach the admin with a password alone"),
    ("BENCH_ENDPOINTS", True, "the benchmark's unauthenticated endpoints are served"),
)


def check_development_switches(**kwargs: Any) -> list[CheckMessage]:
    """Production only (`check --deploy`): an operator found every one of these on and
    the check silent; and ALLOWED_HOSTS="*" (any Host header answered); and no
    SUPPORT_EMAIL (a walk met its dead end)."""
    found: list[CheckMessage] = [
        Warning(f"{name} is {value}: {what}.", hint=f"Unset {name} in production.", id="core.W007")
        for name, value, what in DEVELOPMENT_SWITCHES
        if getattr(settings, name, not value) is value
    ]
    if not getattr(settings, "SUPPORT_EMAIL", ""):
        found.append(
            Warning(
                "SUPPORT_EMAIL is not set: someone who lost every second factor is told to "
                'ask "the people who run this site", with no address to write to.',
                hint="Set SUPPORT_EMAIL to an address your support team reads.",
                id="core.W009",
            )
        )
    if "*" in settings.ALLOWED_HOSTS:
        found.append(
            Warning(
                "ALLOWED_HOSTS is '*': any Host header is answered, so a request naming "
                "another site's host is served as ours.",
                hint="List the hosts people open, e.g. ALLOWED_HOSTS=example.com.",
                id="core.W008",
            )
        )
    return found
