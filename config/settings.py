"""Pacetrack settings: one module, driven by the environment.

Every service has an embedded default that needs no server (SQLite, local-memory
cache, files on disk, console email, billing off). Setting the matching variable
switches that one part to the real service; see env.example for the full list.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Literal

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # never overrides variables already set

# --- Core -------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=False)

_DEV_SECRET = "dev-only-insecure-secret-key-never-use-in-production-0123456789"


def _strong_secret(name: str) -> str:
    """Return the secret from the environment; refuse to start without a strong one.

    In DEBUG a fixed development value is used so `make run` needs no set-up.
    """
    value = env.str(name, default="")
    if not value and DEBUG:
        return f"{_DEV_SECRET}-{name}"
    return _refuse_weak(name, value)


def _refuse_weak(name: str, value: str) -> str:
    # Same thresholds as Django's security.W009 check.
    if len(value) < 50 or len(set(value)) < 5 or value.startswith("django-insecure"):
        raise ImproperlyConfigured(
            f"{name} is missing or weak: set it to a random string of at least 50 characters "
            f'(python -c "import secrets; print(secrets.token_urlsafe(50))").'
        )
    return value


def _secret_fallbacks(name: str) -> list[str | bytes]:  # the type Signer takes
    """Previous secrets, still accepted when verifying (rotation without signing anyone
    out); a fallback verifies signatures, so it must be as strong as the secret itself."""
    return [_refuse_weak(name, value) for value in env.list(name, default=[])]


SECRET_KEY = _strong_secret("SECRET_KEY")
SECRET_KEY_FALLBACKS = _secret_fallbacks("SECRET_KEY_FALLBACKS")
# Signs the session cookie; separate from SECRET_KEY so either can rotate alone.
SESSION_SECRET = _strong_secret("SESSION_SECRET")
# Cookies signed with one of these still work and are re-signed with SESSION_SECRET.
SESSION_SECRET_FALLBACKS = _secret_fallbacks("SESSION_SECRET_FALLBACKS")

# The product name in pages, emails and the admin ("Pacetrack admin"); a fork renames it here.
PRODUCT_NAME = "Pacetrack"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Number of proxies in front of the app, or a comma-separated list of their CIDRs.
# Empty: only the socket address is trusted as the client IP.
TRUSTED_PROXIES = env.str("TRUSTED_PROXIES", default="")
# The one forwarding header your proxy sets: X-Forwarded-For, X-Real-IP or CF-Connecting-IP.
CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default="X-Forwarded-For")
# A request id set by the load balancer, believed instead of making our own
# (core/request_id.py); empty: never read from the request.
REQUEST_ID_HEADER = env.str("REQUEST_ID_HEADER", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "core",
    "accounts",
    "mfa",
    "tenants",
    "sessions_app",
    "uploads",
    "billing",
    "ratelimit",
    "webhooks",
    "api",
    "sso",
    "scim",
    "scheduler",
    "support",
]

MIDDLEWARE = [
    # One id per request on every log line and on the response (X-Request-ID).
    "core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered here; nothing below runs for them (whitenoise's advice).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy (CONTENT_SECURITY_POLICY below): django-csp, built once per process.
    "config.security_headers.CSPMiddleware",
    "config.security_headers.PermissionsPolicyMiddleware",
    # TRACE, PUT, DELETE…: 405 before any work (core.request_limits).
    "core.request_limits.AllowedMethodsMiddleware",
    "core.audit.AuditContextMiddleware",  # the client IP for audit events
    # With a read replica: after a write, this browser reads the primary for a while.
    "core.replica.ReplicaPinMiddleware",
    "sessions_app.middleware.SessionMiddleware",  # hashed-token sessions, see sessions_app
    # The language of the language cookie (the signed-out picker), else Accept-Language.
    "core.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # 413 from Content-Length alone; before CSRF, which is the first to read a POST body.
    "core.request_limits.RequestBodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "sessions_app.middleware.AuthenticationMiddleware",  # user from the session row
    # The signed-in person's own language and time zone (attribute reads, no query);
    # before "view as", so support staff keep theirs while viewing someone else's app.
    "accounts.middleware.UserLocaleMiddleware",
    # Support's "view as": request.user becomes the person viewed (support/middleware.py).
    "support.middleware.ImpersonationMiddleware",
    "config.security_headers.PrivateCacheMiddleware",  # signed-in responses: no-store
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Messages added during an htmx request go back as toasts (below MessageMiddleware).
    "core.htmx.HtmxMessagesMiddleware",
    # htmx requests that need sign-in navigate the whole page there (HX-Redirect).
    "accounts.middleware.HtmxSignInRedirectMiddleware",
    # Staff reach the admin only with a second factor (MFA_ADMIN_REQUIRED).
    "mfa.middleware.AdminTwoFactorMiddleware",
    # After authentication (the api tier is keyed by request.user), before tenants (a
    # refused request is answered before the membership query). Checked by ratelimit.E003.
    "ratelimit.middleware.RateLimitMiddleware",
    "tenants.middleware.TenantMiddleware",
    # Organisations that require two-factor authentication (right after the tenant).
    "tenants.middleware_two_factor.TwoFactorPolicyMiddleware",
    "billing.middleware.PlanLimitMiddleware",
    # Last, after CSRF and every refusal: a destructive form sent without JavaScript's
    # dialog gets its question as a page before the view runs (core/confirm.py).
    "core.confirm.ConfirmMiddleware",
]

# templates.W003 warns that "i18n" names two modules: the override above, on purpose.
# core.W003 (core/checks.py) repeats the warning for every other library name.
SILENCED_SYSTEM_CHECKS = ["templates.W003"]

# HTML that {% memo %} blocks keep per process (the header: core/templatetags/memo.py),
# in millions of characters per block; 0 renders them on every request.
TEMPLATE_MEMO_MAX_MB = env.int("TEMPLATE_MEMO_MAX_MB", default=32)
if TEMPLATE_MEMO_MAX_MB < 0:
    raise ImproperlyConfigured(
        f"TEMPLATE_MEMO_MAX_MB must be 0 (off) or more, not {TEMPLATE_MEMO_MAX_MB}."
    )

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
                "tenants.context_processors.tenant_switcher",
                "billing.context_processors.billing",
                "support.context_processors.impersonation",
            ],
            # `{% load i18n %}` is Django's library with constant translations rendered
            # once per language (core/templatetags/i18n_cached.py: ~75 per signed-in page).
            "libraries": {"i18n": "core.templatetags.i18n_cached"},
        },
    }
]

# --- Database -----------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'pacetrack.sqlite3'}")
}
# A streaming replica for lag-tolerant reads that code opts into (core/replica.py,
# config/db_router.py, docs/scaling.md). Without it nothing is routed anywhere.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    # Tests never create a database for it: reads of "replica" reach the test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"]
# After a write, the browser reads from the primary this long (read-your-writes).
DATABASE_REPLICA_PIN_SECONDS = env.int("DATABASE_REPLICA_PIN_SECONDS", default=10)
# Replica further behind than this (seconds), or down: reads go to the primary.
DATABASE_REPLICA_MAX_LAG = env.float("DATABASE_REPLICA_MAX_LAG", default=5.0)
# How often each process asks the replica for its lag (pg_last_xact_replay_timestamp).
DATABASE_REPLICA_CHECK_SECONDS = env.float("DATABASE_REPLICA_CHECK_SECONDS", default=3.0)
# `pgbouncer`: the app talks to PgBouncer in transaction pooling mode (docs/scaling.md).
DATABASE_POOLER = env.str("DATABASE_POOLER", default="")
if DATABASE_POOLER not in {"", "pgbouncer"}:
    # A typo would keep prepared statements on behind PgBouncer, failing at random.
    raise ImproperlyConfigured(
        f"DATABASE_POOLER must be empty or pgbouncer, not {DATABASE_POOLER!r}."
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
for _db in DATABASES.values():
    if _db["ENGINE"] != "django.db.backends.postgresql":
        continue
    # Django's backend with timestamps parsed by psycopg's compiled loader
    # (core/db/postgresql/base.py).
    _db["ENGINE"] = "core.db.postgresql"
    # Persistent connections and server-side binding with prepared statements: a
    # new connection per request costs 4.5x, planning small joins dominates
    # without prepares (see docs/performance.md).
    _db["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=600)
    # Off: a connection the server or a firewall dropped while idle fails the next
    # request on it (a 503; docs/scaling.md). On: one round trip first per request.
    _db["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_CONN_HEALTH_CHECKS", default=False)
    _db.setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    if DATABASE_POOLER == "pgbouncer":
        # Transaction pooling hands each transaction to any server connection: no
        # cursor may outlive its transaction, and PgBouncer before 1.21 cannot carry a
        # prepared statement from one server connection to the next, so psycopg binds
        # client-side and never prepares (prepare_threshold=None).
        _db["DISABLE_SERVER_SIDE_CURSORS"] = True
        _db["OPTIONS"].update({"prepare_threshold": None})
    elif env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        _db["OPTIONS"].update({"server_side_binding": True, "prepare_threshold": 1})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (and rate-limit storage) -------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="").strip()
# A Redis Cluster instead of one node: its startup nodes, `redis://h1:p1,redis://h2:p2`
# (config/redis_cluster.py: redis-py's RedisCluster under django-redis).
REDIS_CLUSTER_URL = env.str("REDIS_CLUSTER_URL", default="")
# Without a scheme redis-py refuses a URL at the first sign-in (a 500), not at start; it
# reads the scheme in any case, and config/redis_cluster.py splits and strips the
# cluster's list. The value is not repeated in the error: it may hold a password.
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
for _name, _urls in (
    ("REDIS_URL", [REDIS_URL]),
    ("REDIS_CLUSTER_URL", REDIS_CLUSTER_URL.split(",")),
):
    if any(u.strip() and not u.strip().lower().startswith(_REDIS_SCHEMES) for u in _urls):
        raise ImproperlyConfigured(
            f"{_name} must start with redis://, rediss:// or unix:// (e.g. redis://127.0.0.1:6379/0)."
        )
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True  # see IGNORE_EXCEPTIONS below
if REDIS_URL or REDIS_CLUSTER_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_CLUSTER_URL or REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="pt"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                # A cache is an optimisation: while Redis is down, reads miss and writes
                # are dropped (and logged) instead of failing the request. The rate
                # limiter and /readyz/ talk to Redis directly and still see the outage.
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    if REDIS_CLUSTER_URL:
        CACHES["default"]["OPTIONS"].update(
            {
                "CLIENT_CLASS": "config.redis_cluster.ClusterClient",
                "CONNECTION_FACTORY": "config.redis_cluster.ClusterConnectionFactory",
            }
        )
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth, passwords, sessions --------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "workspaces:app"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    # Our users have one `name`, not Django's first_name/last_name/username: without
    # it, "Quinn Tester" could choose "quinntester1".
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("name", "email")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# A deleted account keeps its email reserved this long; then purge_deleted_accounts frees it.
ACCOUNTS_DELETION_GRACE_DAYS = env.int("ACCOUNTS_DELETION_GRACE_DAYS", default=30)
# Sign-up emails a link and creates the account only when it is opened, so the form
# answers the same for every address (no account probing). False: instant sign-up,
# which has to say "this email already has an account" (trade-off in the README).
ACCOUNTS_SIGNUP_EMAIL_CONFIRMATION = env.bool("ACCOUNTS_SIGNUP_EMAIL_CONFIRMATION", default=True)
# Creating orgs, inviting, uploading and starting checkout need a verified address.
ACCOUNTS_REQUIRE_VERIFIED_EMAIL = env.bool("ACCOUNTS_REQUIRE_VERIFIED_EMAIL", default=True)
# Organisations one person may create in 24 hours (the admin and create_org are not capped).
TENANTS_ORG_CREATE_PER_DAY = env.int("TENANTS_ORG_CREATE_PER_DAY", default=10)
# Invitations accepted, cancelled or expired this long ago are deleted (old_invitations job).
TENANTS_INVITATION_RETENTION_DAYS = env.int("TENANTS_INVITATION_RETENTION_DAYS", default=90)

SESSION_ENGINE = "sessions_app.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE: Literal["Lax", "Strict", "None"] = "Lax"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
# The __Host- prefix makes browsers accept the cookie only when it is Secure, has Path=/
# and no Domain: a sibling subdomain cannot set or shadow it. Needs HTTPS, hence Secure.
SESSION_COOKIE_NAME = ("__Host-" if SESSION_COOKIE_SECURE else "") + "pacetrack-session"
SESSION_COOKIE_AGE = 30 * 24 * 3600
SESSIONS_RENEW_BELOW = 15 * 24 * 3600  # re-extend to 30 days when less than this remains
SESSIONS_ABSOLUTE_LIFETIME = env.int("SESSIONS_ABSOLUTE_LIFETIME", default=90 * 24 * 3600)
SESSIONS_ACTIVITY_INTERVAL = 5 * 60  # write last-activity/IP/UA at most this often
# At most this many signed-in sessions per user (0: no cap); a sign-in beyond it signs
# out the least recently active ones.
SESSIONS_MAX_PER_USER = env.int("SESSIONS_MAX_PER_USER", default=0)
# Flash messages live in a signed cookie, so anonymous pages never need a session row.
MESSAGE_STORAGE = "core.messages.LazyCookieStorage"  # Django's CookieStorage, signer made on use

# --- Two-factor authentication and re-authentication (mfa) -----------------------

# Sensitive actions (password, email, two-factor changes, deletions, ownership, billing
# portal) ask for the password or a second factor again after this many seconds.
MFA_REAUTH_AGE = env.int("MFA_REAUTH_AGE", default=600)
MFA_REAUTH_URL = "accounts:reauth"  # the prompt (like LOGIN_URL, a URL name)
# Between the password and the second factor: how long the signed pending cookie lives.
MFA_PENDING_AGE = 300
# "Don't ask again on this browser": days a browser the person chose to trust skips the
# second step at sign-in (mfa/trusted.py). 0 turns the offer off and ignores trust given.
MFA_TRUST_DAYS = env.int("MFA_TRUST_DAYS", default=30)
# The name authenticator apps list the account under (and passkey prompts show).
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Pacetrack")
# /admin/ only for staff whose session proved a second factor (mfa.middleware).
MFA_ADMIN_REQUIRED = env.bool("MFA_ADMIN_REQUIRED", default=not DEBUG)
# Passkeys (WebAuthn): the relying party ID (default: SITE_URL's host) and the origins
# whose answers are accepted (default: SITE_URL). Passkeys live as long as the RP ID.
MFA_WEBAUTHN_RP_ID = env.str("MFA_WEBAUTHN_RP_ID", default="")
MFA_WEBAUTHN_ORIGINS = env.list("MFA_WEBAUTHN_ORIGINS", default=[])

# --- Social sign-in and organisation SSO (sso) -----------------------------------
# Each social provider is on when its client id and secret are set (README, "Single
# sign-on"). The URLs are settings so tests point them at a provider on loopback.
SSO_SOCIAL_PROVIDERS = {
    "google": {
        "client_id": env.str("GOOGLE_CLIENT_ID", default=""),
        "client_secret": env.str("GOOGLE_CLIENT_SECRET", default=""),
        "issuer": "https://accounts.google.com",
    },
    "microsoft": {
        "client_id": env.str("MICROSOFT_CLIENT_ID", default=""),
        "client_secret": env.str("MICROSOFT_CLIENT_SECRET", default=""),
        # "common": work, school and personal accounts; or one Entra tenant's id.
        "issuer": "https://login.microsoftonline.com/"
        + env.str("MICROSOFT_TENANT", default="common")
        + "/v2.0",
    },
    "github": {
        "client_id": env.str("GITHUB_CLIENT_ID", default=""),
        "client_secret": env.str("GITHUB_CLIENT_SECRET", default=""),
        "authorize_url": "https://github.com/login/oauth/authorize",
        "token_url": "https://github.com/login/oauth/access_token",
        "api_url": "https://api.github.com",
    },
}
# Organisation IdPs must be https; tests (and local development) may allow http.
SSO_ALLOW_HTTP_ISSUERS = env.bool("SSO_ALLOW_HTTP_ISSUERS", default=False)
# Where TXT lookups for verified domains go: "" = the system resolver, else
# "host:port" entries (tests point it at a DNS server on loopback).
SSO_DNS_NAMESERVERS = env.list("SSO_DNS_NAMESERVERS", default=[])
SSO_HTTP_TIMEOUT = 10  # seconds for each call to an identity provider
# SAML IdP metadata fetched from its URL: https to a public address only, unless this is
# on (local development and tests: http and private or loopback addresses too).
SSO_METADATA_ALLOW_PRIVATE = env.bool("SSO_METADATA_ALLOW_PRIVATE", default=False)
# A metadata document larger than this is refused, uploaded, pasted or fetched; the
# SAML form's whole body too (413 naming it). 1 MB as people read it (1 MiB).
SSO_METADATA_MAX_BYTES = 1024 * 1024
# The xmlsec1 program pysaml2 runs to check every SAML signature (Debian's `xmlsec1`,
# Homebrew's `libxmlsec1`): its path, or the first `xmlsec1` on PATH at startup.
SSO_SAML_XMLSEC1 = (
    env.str("SSO_SAML_XMLSEC1", default="") or shutil.which("xmlsec1") or "/usr/bin/xmlsec1"
)

# --- Security (production values; check --deploy passes with DEBUG off) --------

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
# Every subdomain on https too, and consent to browsers' preload lists: right for a
# host of its own (app.example.com); an apex domain whose other subdomains still
# serve http turns them off (check --deploy then warns, security.W005/W021).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^readyz/$"]
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_NAME = ("__Host-" if CSRF_COOKIE_SECURE else "") + "csrftoken"  # as the session's
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from a meta tag, not the cookie
# htmx requests are told with a toast (or sent to sign-in), never a page in a fragment.
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
# django-csp 4: no inline script or style anywhere (htmx is configured through a <meta>,
# the CSRF token is read from <meta name="csrf-token"> by static/src/js/). /serve/
# responses set their own stricter policy (sandbox), which the middleware leaves alone.
_CSP_SELF = "'self'"
# Presigned S3 URLs (UPLOADS_SERVE_PRESIGNED) point images at the bucket's origin.
_CSP_IMG = [_CSP_SELF, "data:"] + ([env.str("S3_ENDPOINT")] if env.str("S3_ENDPOINT", "") else [])
# Chrome applies form-action to the redirect after a POST: checkout and the customer
# portal answer with a 303 to Stripe.
_CSP_FORM = [_CSP_SELF] + (
    ["https://checkout.stripe.com", "https://billing.stripe.com"]
    if env.str("STRIPE_SECRET_KEY", default="")
    else []
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_CSP_SELF],
        "script-src": [_CSP_SELF],
        "style-src": [_CSP_SELF],
        "img-src": _CSP_IMG,
        "object-src": ["'none'"],
        "base-uri": ["'none'"],  # no page needs <base>; an injected one could redirect links
        "frame-ancestors": ["'none'"],
        "form-action": _CSP_FORM,
    },
}
# Features the app never uses are switched off for every page (config.security_headers).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: [] for feature in ("camera", "microphone", "geolocation", "payment", "usb")
}
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Static files and uploads -------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# build/: compiled by `npm run build` (git-ignored); public/: our own files, committed.
STATICFILES_DIRS = [BASE_DIR / "static" / "build", BASE_DIR / "static" / "public"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media/"

S3_BUCKET = env.str("S3_BUCKET", default="pacetrack-storage")
S3_ENDPOINT = env.str("S3_ENDPOINT", default="")
if S3_ENDPOINT:
    from botocore.config import Config as _S3Config

    _default_storage: dict[str, Any] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT,
            "region_name": env.str("S3_REGION", default="us-east-1"),
            "access_key": env.str("S3_ACCESS_KEY", default=""),
            "secret_key": env.str("S3_SECRET_KEY", default=""),
            # Explicit timeouts and at most 2 attempts, so a slow S3 cannot hold a web
            # worker for botocore's 60 s defaults. Given a client config, django-storages
            # ignores its own addressing_style/signature_version options: they live here.
            "client_config": _S3Config(
                s3={"addressing_style": env.str("S3_ADDRESSING_STYLE", default="path")},
                signature_version="s3v4",
                connect_timeout=env.float("S3_CONNECT_TIMEOUT", default=3.0),
                read_timeout=env.float("S3_READ_TIMEOUT", default=10.0),
                # 2 x (3 + 10) s = 26 s at worst, inside gunicorn's 30 s worker timeout
                # (3 attempts, 39 s, had the worker killed mid-request: a 500).
                retries={"mode": "standard", "total_max_attempts": 2},
            ),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": 300,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    }
# Hashed, compressed static file names (a manifest) whenever DEBUG is off: pages then
# name files through staticfiles.json and fail without it. A build that collects the
# files without production secrets (the Dockerfile) sets STATIC_MANIFEST=true itself.
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=not DEBUG)
STORAGES: dict[str, dict[str, Any]] = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Avatars and logos: PNG/JPEG/WebP/GIF, re-encoded to a 512x512 PNG. The pixel
# limit is checked from the header, far below Pillow's own (~89 megapixels): decoding
# costs ~12 bytes of RAM per pixel. JPEGs count at the scale libjpeg decodes them (down
# to 1/8), so a 48-megapixel phone photo is fine and a 5000x5000 PNG is not.
UPLOADS_IMAGE_MAX_BYTES = env.int("UPLOADS_IMAGE_MAX_BYTES", default=5 * 1024 * 1024)
UPLOADS_IMAGE_MAX_PIXELS = env.int("UPLOADS_IMAGE_MAX_PIXELS", default=4096 * 4096)
# General tenant files: extension -> the Content-Type they are served with (always
# as attachments). Override as UPLOADS_FILE_TYPES=pdf=application/pdf,txt=text/plain
UPLOADS_FILE_MAX_BYTES = env.int("UPLOADS_FILE_MAX_BYTES", default=25 * 1024 * 1024)
_UPLOADS_FILE_TYPES_DEFAULT = {
    "pdf": "application/pdf",
    "txt": "text/plain",
    "csv": "text/csv",
    "md": "text/markdown",
    "json": "application/json",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "zip": "application/zip",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
try:
    UPLOADS_FILE_TYPES = env.dict("UPLOADS_FILE_TYPES", default=_UPLOADS_FILE_TYPES_DEFAULT)
except ValueError:  # an entry without "=": django-environ's own error names nothing
    raise ImproperlyConfigured(
        "UPLOADS_FILE_TYPES must be extension=content-type pairs, comma-separated, "
        f"e.g. pdf=application/pdf,txt=text/plain; not {env.str('UPLOADS_FILE_TYPES')!r}."
    ) from None
# Days a deleted workspace's files and logo are kept (an organisation deleted, or an
# account's personal workspace); then the deleted_workspace_files job deletes them.
UPLOADS_DELETED_WORKSPACE_DAYS = env.int("UPLOADS_DELETED_WORKSPACE_DAYS", default=30)
# With S3, member files may redirect to a short-lived presigned URL instead of
# streaming through the app.
UPLOADS_SERVE_PRESIGNED = env.bool("UPLOADS_SERVE_PRESIGNED", default=False)
UPLOADS_PRESIGNED_EXPIRY = env.int("UPLOADS_PRESIGNED_EXPIRY", default=60)
# /serve caches each row's metadata (keys are never reused; deletes invalidate).
UPLOADS_SERVE_CACHE_TIMEOUT = 3600
# cleanup_orphan_uploads leaves objects younger than this (uploads in flight).
UPLOADS_ORPHAN_MIN_AGE = env.int("UPLOADS_ORPHAN_MIN_AGE", default=24 * 3600)

# --- Email and background tasks -----------------------------------------------

RESEND_API_KEY = env.str("RESEND_API_KEY", default="")
# Seconds per Resend call; failed sends are retried by the delivery task (below).
RESEND_TIMEOUT = env.int("RESEND_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Pacetrack <hello@pacetrack.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default=(
        "accounts.backends.resend.ResendEmailBackend"
        if RESEND_API_KEY
        else "django.core.mail.backends.console.EmailBackend"
    ),
)
# Django's SMTP backend (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend).
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "EMAIL_USE_TLS (STARTTLS, port 587) and EMAIL_USE_SSL (port 465) exclude each "
        "other: set one to false."
    )
if not DEBUG and EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":
    # Password reset and invitation links would be written to the logs.
    raise ImproperlyConfigured(
        "Email would be printed to the console: set RESEND_API_KEY (or EMAIL_BACKEND to a "
        "real backend, e.g. django.core.mail.backends.smtp.EmailBackend) when DEBUG is off."
    )
# The embedded default runs tasks in-process; set TASKS_BACKEND=database (with a
# worker: `python manage.py db_worker`) for a durable queue.
_TASKS_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
_tasks_backend = env.str("TASKS_BACKEND", default="immediate")
if _tasks_backend not in _TASKS_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be immediate or database, not {_tasks_backend!r}."
    )
TASKS = {"default": {"BACKEND": _TASKS_BACKENDS[_tasks_backend]}}
# Outgoing email (accounts.mail): transient provider errors are retried with
# exponential backoff (base, 2x, 4x… capped), then the delivery is marked failed
# in the admin, where it can be retried. Deferred retries need TASKS_BACKEND=database.
EMAIL_DELIVERY_MAX_ATTEMPTS = env.int("EMAIL_DELIVERY_MAX_ATTEMPTS", default=10)
EMAIL_DELIVERY_RETRY_BASE_SECONDS = env.int("EMAIL_DELIVERY_RETRY_BASE_SECONDS", default=30)
EMAIL_DELIVERY_RETRY_MAX_SECONDS = env.int("EMAIL_DELIVERY_RETRY_MAX_SECONDS", default=3600)
# Sent or failed emails keep their bodies this long (email_bodies job), then only the record.
EMAIL_DELIVERY_BODY_RETENTION_DAYS = env.int("EMAIL_DELIVERY_BODY_RETENTION_DAYS", default=30)

# --- Support ------------------------------------------------------------------

# Longest "view as" (minutes) staff with support.impersonate may start.
# Where people who lost every second factor write (the sign-in's second step says so;
# only the site's operators can reset it: `manage.py mfa_reset`). "" says "the people
# who run this site" without an address.
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", default="")
SUPPORT_IMPERSONATION_MINUTES = env.int("SUPPORT_IMPERSONATION_MINUTES", default=30)
# Views refused while viewing as someone (URL names; * matches): destructive actions
# and anything that would let support take the account over or hand out access that
# outlives the view. Every view behind @reauth_required is refused as well (staff
# cannot confirm it's the person); tests/support/test_refused_views.py makes each new
# view be placed on one side or the other.
SUPPORT_IMPERSONATION_REFUSED_VIEWS = [
    "accounts:delete",
    "accounts:export",
    "accounts:password",
    "accounts:email-change",
    "accounts:sign-out",
    "mfa:totp-*",
    "mfa:recovery-codes",
    "mfa:passkey-*",
    "sessions:revoke*",
    "tenant:transfer",
    "tenant:delete",
    "tenant:two-factor-policy",
    "billing:checkout",
    "billing:portal",
    "billing:local-portal-act",
    "billing:*detach",
    # Keys and webhook endpoints would outlive the view's time limit (access, data out).
    "api-keys:create",
    "api-keys:revoke",
    "webhooks:create",
    "webhooks:rotate",
    "webhooks:delete",
    # Confirming "it's you" (staff are not the person) and trusted browsers.
    "accounts:reauth",
    "mfa:trusted-*",
    # Access that outlives the view: an invitation (as Owner, to an address support
    # reads), a role change or a role's permissions, an invitation accepted as the
    # person (or declined for them), a sign-in provider linked to the account, sign-in flows.
    "tenant:invite-create",
    "tenant:member-role",
    "tenant:role-*",
    "invites:*",
    "workspaces:invitation-accept",
    "workspaces:invitation-decline",
    "sso:*",
    "sso_settings:connection-*",
    "sso_settings:domain-*",
    "sso_settings:join-*",
    "scim:token-rotate",
    "scim:disable",
    "webhooks:edit",
]

# --- Scheduled jobs -----------------------------------------------------------

# `manage.py scheduler` enqueues each job (scheduler.tasks) at its time; any number of
# schedulers may run, each slot runs at most once. "every": "30s" | "15m" | "6h" | "1d"
# (multiples since the epoch, UTC) or "at": "HH:MM" (daily, UTC); optional "kwargs".
# The task is a function returning a one-line outcome (the admin's Scheduled runs).
SCHEDULE: dict[str, dict[str, Any]] = {
    "stripe_events_retry": {"task": "billing.jobs.stripe_events_retry", "every": "5m"},
    "email_resume": {"task": "accounts.jobs.email_deliveries_resume_stale", "every": "5m"},
    "webhooks_resume": {"task": "webhooks.jobs.deliveries_resume_stale", "every": "5m"},
    "sessions_cleanup": {"task": "sessions_app.jobs.sessions_cleanup", "at": "03:00"},
    "deleted_accounts_purge": {"task": "accounts.jobs.deleted_accounts_purge", "at": "03:10"},
    "orphan_uploads": {"task": "uploads.jobs.orphan_uploads_delete", "at": "03:20"},
    "deleted_workspace_files": {
        "task": "uploads.jobs.deleted_workspace_files_delete",
        "at": "03:25",
    },
    "old_invitations": {"task": "tenants.jobs.old_invitations_purge", "at": "03:30"},
    "email_bodies": {"task": "accounts.jobs.email_bodies_purge", "at": "03:40"},
    "stripe_reconcile": {"task": "billing.jobs.stripe_reconcile", "at": "04:00"},
    "sso_domains_reverify": {"task": "sso.jobs.domains_reverify", "at": "04:30"},
    "sso_saml_metadata": {"task": "sso.jobs.saml_metadata_refresh", "at": "04:40"},
    "api_keys_expiring": {"task": "api.jobs.api_keys_expiring", "at": "04:50"},
    "webhook_deliveries": {"task": "webhooks.jobs.deliveries_purge_old", "at": "05:00"},
    "task_results": {"task": "scheduler.jobs.task_results_prune", "at": "05:10"},
    "scheduled_runs": {"task": "scheduler.jobs.scheduled_runs_prune", "at": "05:20"},
}
# Days kept: finished background tasks (their arguments), scheduled runs, finished
# webhook deliveries with their attempts (payloads hold members' addresses).
TASKS_RESULT_RETENTION_DAYS = env.int("TASKS_RESULT_RETENTION_DAYS", default=7)
SCHEDULER_RUN_RETENTION_DAYS = env.int("SCHEDULER_RUN_RETENTION_DAYS", default=30)
WEBHOOKS_DELIVERY_RETENTION_DAYS = env.int("WEBHOOKS_DELIVERY_RETENTION_DAYS", default=30)

# --- Billing ------------------------------------------------------------------

STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
# Comma-separated: list the new signing secret beside the old one while rotating.
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# Seconds per Stripe request, and retries of network failures and 5xx answers: one
# Stripe call takes at most about (retries + 1) x timeout, plus ~1.5 s of backoff.
STRIPE_TIMEOUT = env.float("STRIPE_TIMEOUT", default=10.0)
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
# Dotted path of the billing provider; billing.backends.local.LocalBillingBackend keeps
# a provider in our database (demos, local development) without a Stripe account.
BILLING_BACKEND = env.str("BILLING_BACKEND", default="billing.backends.stripe.StripeBillingBackend")
# Refused (unsigned or badly signed) webhook deliveries stored per hour; the rest are dropped.
BILLING_UNVERIFIED_EVENTS_PER_HOUR = env.int("BILLING_UNVERIFIED_EVENTS_PER_HOUR", default=100)
# A webhook event whose processing fails is retried by the stripe_events_retry job with
# backoff (base, 2x, 4x… capped) up to MAX attempts; staff are emailed after ALERT_AFTER.
BILLING_EVENT_RETRY_BASE_SECONDS = env.int("BILLING_EVENT_RETRY_BASE_SECONDS", default=60)
BILLING_EVENT_RETRY_MAX_SECONDS = env.int("BILLING_EVENT_RETRY_MAX_SECONDS", default=6 * 3600)
BILLING_EVENT_MAX_ATTEMPTS = env.int("BILLING_EVENT_MAX_ATTEMPTS", default=12)
BILLING_EVENT_ALERT_AFTER = env.int("BILLING_EVENT_ALERT_AFTER", default=3)
BILLING_DEFAULT_PLAN = "free"
# Days of free trial a first checkout starts with (no card asked; 0: none).
BILLING_TRIAL_DAYS = env.int("BILLING_TRIAL_DAYS", default=0)
# Checkout offers a field for Stripe promotion codes (made in the Stripe dashboard).
BILLING_ALLOW_PROMOTION_CODES = env.bool("BILLING_ALLOW_PROMOTION_CODES", default=True)


def _audit_history_description(days: int) -> str:
    """In the language of the page that shows it (settings load before any is active)."""
    return ngettext(
        "See the whole audit log, not only its last %(days)d day.",
        "See the whole audit log, not only its last %(days)d days.",
        days,
    ) % {"days": days}


# The features plans can include (the gating table is each plan's "features" below).
# A feature the tenant's plan lacks shows its description and an upgrade button
# (templates/elements/upgrade_card.html); services refuse it (billing.plans.plan_require).
# Nothing is withheld while billing is off: there would be nothing to upgrade to.
BILLING_FEATURES: dict[str, dict[str, Any]] = {
    # "organisations_only": of no use in a personal workspace (one person, no members),
    # so its billing page does not offer it. "in_sentence": the name as it reads inside
    # "… does not include %(features)s" (lower case in English; German inflects it).
    "teams": {
        "name": _("Teams"),
        "in_sentence": pgettext_lazy(
            'a plan feature inside "does not include …"',
            "teams",
        ),
        "description": _("Group members into nested teams."),
        "organisations_only": True,
    },
    "custom_roles": {
        "name": _("Custom roles"),
        "in_sentence": pgettext_lazy(
            'a plan feature inside "does not include …"',
            "custom roles",
        ),
        "organisations_only": True,
        "description": _(
            "Make roles of your own from the permission list, beyond owner, "
            "admin, billing admin and member."
        ),
    },
    "audit_history": {
        "name": _("Full audit history"),
        "in_sentence": pgettext_lazy(
            'a plan feature inside "does not include …"',
            "full audit history",
        ),
        "description": lazy(_audit_history_description, str)(
            env.int("BILLING_AUDIT_LOG_DAYS", default=30)
        ),
    },
    "api_keys": {
        "name": _("API keys"),
        "in_sentence": pgettext_lazy(
            'a plan feature inside "does not include …"',
            "API keys",
        ),
        "description": _("Let your own scripts and services call the API with keys you control."),
        "organisations_only": True,
    },
    "sso": {
        "name": _("Single sign-on"),
        "in_sentence": pgettext_lazy(
            'a plan feature inside "does not include …"',
            "single sign-on",
        ),
        "description": _(
            "Members sign in through your identity provider (SAML or OIDC), "
            "which can also add and remove them (SCIM directory sync)."
        ),
        "organisations_only": True,
    },
}
# Days of audit log shown on plans without "audit_history" (older entries are kept).
BILLING_AUDIT_LOG_DAYS = env.int("BILLING_AUDIT_LOG_DAYS", default=30)


def _plan_limit(name: str, default: int) -> int | None:
    """A limit of the default plan from the environment: a whole number, or `none`.

    The default plan is everyone's while billing is off, so a self-hosted server sets
    its own caps here instead of editing BILLING_PLANS."""
    value = env.str(name, default=str(default)).strip().lower()
    if value == "none":
        return None
    if not value.isdigit():
        raise ImproperlyConfigured(f"{name} must be a whole number or none, not {value!r}.")
    return int(value)


# Limits: None means unlimited. A paid plan is offered only once its price id is set.
BILLING_PLANS = {
    "free": {
        "name": _("Free"),
        "price_label": _("$0"),
        "price_id": "",
        "per_seat": False,
        "max_members": _plan_limit("BILLING_FREE_MAX_MEMBERS", 5),
        "max_storage_mb": _plan_limit("BILLING_FREE_MAX_STORAGE_MB", 100),
        # Teams work on every plan out of the box; drop "teams" here to sell them.
        "features": ["teams"],
    },
    "pro": {
        "name": _("Pro"),
        "price_label": _("$12 per member / month"),
        "price_id": env.str("STRIPE_PRICE_PRO", default=""),
        # Cents per unit: what the local backend's invoices charge (Stripe has its own).
        "unit_amount": 1200,
        "per_seat": True,
        "max_members": 100,
        "max_storage_mb": 10_240,
        "features": ["teams", "custom_roles", "audit_history", "api_keys"],
    },
    "business": {
        "name": _("Business"),
        "price_label": _("$299 / month, flat"),
        "price_id": env.str("STRIPE_PRICE_BUSINESS", default=""),
        "unit_amount": 29900,
        "per_seat": False,
        "max_members": None,
        "max_storage_mb": 102_400,
        "features": ["teams", "custom_roles", "audit_history", "api_keys", "sso"],
    },
}

# --- Rate limiting --------------------------------------------------------------

RATELIMIT_ENABLED = env.bool("RATELIMIT_ENABLED", default=True)
# Sliding-window counters in Redis (one EVALSHA per check), or in-process without REDIS_URL.
RATELIMIT_BACKEND = env.str(
    "RATELIMIT_BACKEND",
    default=(
        "ratelimit.backends.redis.RedisBackend"
        if REDIS_URL or REDIS_CLUSTER_URL
        else "ratelimit.backends.memory.MemoryBackend"
    ),
)
RATELIMIT_CACHE_ALIAS = "default"  # the django-redis connection the Redis backend uses
RATELIMIT_KEY_PREFIX = env.str("RATELIMIT_KEY_PREFIX", default="")  # keys: <prefix>rl:{tier:id}
# Rates read "<count>/<period>"; when_unavailable: "fail_open" or "memory" (count per process).


def _tier(tier: str, default: str, when_unavailable: str) -> dict[str, str]:
    """A tier's rate from RATELIMIT_<TIER> (dashes become underscores), else `default`."""
    variable = "RATELIMIT_" + tier.upper().replace("-", "_")
    return {"rate": env.str(variable, default=default), "when_unavailable": when_unavailable}


RATELIMIT_TIERS = {
    # Per IP: failed sign-ins (the app's and the admin's).
    "auth": _tier("auth", "5/15m", "memory"),
    # Failed sign-ins per account from unknown devices, and per known-device cookie.
    "auth-account": _tier("auth-account", "10/1h", "memory"),
    "auth-device": _tier("auth-device", "10/1h", "memory"),
    # Reset emails per address (over it: same answer, nothing sent); "sign-in paused" notices.
    "auth-reset": _tier("auth-reset", "5/1h", "memory"),
    "auth-notice": _tier("auth-notice", "1/1h", "memory"),
    # Sign-up emails per address (link or "you already have an account"); over it: the
    # same answer, nothing sent.
    "auth-signup": _tier("auth-signup", "5/1h", "memory"),
    # Per IP: sign-up submissions (RATELIMIT_OWN_BUDGET_VIEWS), every one counted (a valid
    # one sends an email). Apart from "auth": five colleagues signing up from one office
    # paused sign-in for everyone there who had not signed in from that browser before.
    "auth-signup-ip": _tier("auth-signup-ip", "20/15m", "memory"),
    # Per IP: failed sign-ups through an invitation link (RATELIMIT_OWN_BUDGET_VIEWS). A
    # budget apart from "auth", and one that signs in gives its hit back: a team invited
    # together accepts from one office address, whatever else was tried there.
    "auth-invite": _tier("auth-invite", "10/15m", "memory"),
    # Per IP: password reset requests and submissions. Apart from "auth", so the failed
    # sign-ins that made someone reset cannot block the way out.
    "auth-recovery": _tier("auth-recovery", "10/15m", "memory"),
    # Wrong second-factor codes: per IP at sign-in's second step, and per account (every
    # code check, sign-in and re-authentication alike); from a browser that signed in to
    # the account before, per that browser instead. Only failures stay counted.
    "mfa": _tier("mfa", "10/15m", "memory"),
    "mfa-account": _tier("mfa-account", "10/1h", "memory"),
    "mfa-device": _tier("mfa-device", "10/1h", "memory"),
    # The "codes were paused" email to an account's owner.
    "mfa-notice": _tier("mfa-notice", "1/1h", "memory"),
    # Wrong current passwords per user (password/email change, deletion, ownership transfer).
    "password-check": _tier("password-check", "10/1h", "memory"),
    "serve": _tier("serve", "500/1h", "fail_open"),
    # Signed-in requests, per user, one tier each: page views and htmx GETs, state
    # changes, the admin. "api" counts per API key instead (api/auth.py), at the plan's
    # `api_rate` when BILLING_PLANS sets one, else this rate.
    "pages": _tier("pages", "1200/15m", "fail_open"),
    "actions": _tier("actions", "300/15m", "fail_open"),
    "admin": _tier("admin", "600/15m", "fail_open"),
    "api": _tier("api", "100/15m", "fail_open"),
    # For consume_or_429() around "resend verification email" and similar sends.
    "email-send": _tier("email-send", "5/1h", "memory"),
    # Invitations sent or resent per user: caps invite spam on plans without a member cap.
    "invite": _tier("invite", "50/1h", "memory"),
    # Avatar/logo uploads and previews per user: each decodes an image (CPU and RAM).
    "image": _tier("image", "30/15m", "memory"),
    # Webhook test events per endpoint: each is a request to someone else's server.
    "webhook-test": _tier("webhook-test", "10/15m", "memory"),
    # Resends per endpoint: enough to resend a page of failed deliveries after a fix,
    # not an unbounded stream of signed requests at someone else's server.
    "webhook-resend": _tier("webhook-resend", "60/15m", "memory"),
    # SCIM requests per organisation (scim/api.py): an IdP's full sync comes in bursts.
    "scim": _tier("scim", "3000/15m", "fail_open"),
}
# URL name -> the POSTed email field of a sign-in form: only failures count, per IP and
# per account (or known device). None: every POST counts against the IP.
RATELIMIT_AUTH_VIEWS: dict[str, str | None] = {
    "accounts:sign-in": "email",
    "admin:login": "username",
}
# Forms with a per-IP budget of their own, apart from "auth": URL name -> (tier, only
# failures count, a submission that signs the person in being taken back).
RATELIMIT_OWN_BUDGET_VIEWS = {
    "accounts:sign-up": ("auth-signup-ip", False),
    "invites:sign-up": ("auth-invite", True),
    # A sign-up link's page: one that sets the password (opened in another browser)
    # hashes it; only refusals count, the one that signs in is taken back.
    "accounts:sign-up-confirm": ("auth-signup-ip", True),
    # Per-address budget besides: auth-reset, in the service.
    "accounts:password-forgot": ("auth-recovery", False),
    "accounts:password-reset": ("auth-recovery", False),
}
RATELIMIT_SERVE_NAMESPACES = ["uploads"]
RATELIMIT_ADMIN_NAMESPACES = ["admin"]
RATELIMIT_API_NAMESPACES: list[str] = []
# Lifetime of the signed "known device" cookie set at sign-in (see ratelimit/devices.py).
RATELIMIT_DEVICE_COOKIE_AGE = 365 * 24 * 3600
RATELIMIT_EXEMPT_VIEWS = ["healthz", "readyz", "stripe:webhook"]

# --- Webhooks (webhooks/) ----------------------------------------------------------
# Private and loopback addresses (and plain http) for webhook URLs: local development only.
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
# DNS servers ("ip:port") that resolve webhook hosts; empty: the system's resolver.
WEBHOOKS_DNS_SERVERS = env.list("WEBHOOKS_DNS_SERVERS", default=[])
WEBHOOKS_DNS_TIMEOUT = 3.0
WEBHOOKS_CONNECT_TIMEOUT = env.float("WEBHOOKS_CONNECT_TIMEOUT", default=3.0)
WEBHOOKS_READ_TIMEOUT = env.float("WEBHOOKS_READ_TIMEOUT", default=5.0)
# The whole request, answer included (the two above bound each connection and each read).
WEBHOOKS_TOTAL_TIMEOUT = env.float("WEBHOOKS_TOTAL_TIMEOUT", default=15.0)
WEBHOOKS_RESPONSE_EXCERPT = 2048  # bytes of an endpoint's answer read and kept
WEBHOOKS_ROTATION_OVERLAP_HOURS = env.int("WEBHOOKS_ROTATION_OVERLAP_HOURS", default=24)

# --- SCIM directory sync (scim/) ------------------------------------------------------
# Paths where more methods than GET/HEAD/POST reach a view (core.request_limits).
EXTRA_METHODS_BY_PATH_PREFIX = {
    "/scim/v2/": ("PUT", "PATCH", "DELETE"),
    # The JSON API takes GET (and HEAD) and POST only; every other method reaches it
    # ("*") so that its answer is a problem naming the path's own methods
    # (api/problems.py), not the site's 405 page: OPTIONS and TRACE included.
    "/api/v1/": ("*",),
}

# --- Locale and logging ---------------------------------------------------------

# Pages and emails in English, German or Arabic (right to left): the person's own
# choice (User.language), else the language cookie or the browser's Accept-Language.
# Catalogues: locale/<lang>/LC_MESSAGES/django.po, built by `make messages` from
# locale/_parts/; the compiled .mo files are committed (README: Languages and time zones).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The signed-out language picker's cookie (Django's set_language), kept like the session's.
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_NAME = ("__Host-" if LANGUAGE_COOKIE_SECURE else "") + "pacetrack-language"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE: Literal["Lax", "Strict", "None"] = "Lax"
# The server's zone; each signed-in person's pages and emails use User.time_zone.
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# plain: one line of text a record; json: one JSON object a line, every field of a
# security event (core/security_log.py) its own key, for a log shipper.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "filters": {
        "refusal_without_traceback": {"()": "core.log_filters.RefusalWithoutTraceback"},
        "request_id": {"()": "core.log_filters.RequestId"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # pysaml2's schema library said "Resource 'XMLSchema.xsd' is already loaded" at
        # INFO on every start and management command.
        "xmlschema": {"level": "WARNING"},
        # "Forbidden (Permission denied): /path" stays, without the refusal's traceback.
        "django.request": {"filters": ["refusal_without_traceback"]},
    },
}

# --- Benchmark (make bench only) ------------------------------------------------

# Adds /bench/hello/ and the stock-Django reference page (with django.contrib.sessions)
# for `make bench`. Never on by default; never enable it on a public deployment.
BENCH_ENDPOINTS = env.bool("BENCH_ENDPOINTS", default=False)
if BENCH_ENDPOINTS:
    INSTALLED_APPS += ["django.contrib.sessions"]
