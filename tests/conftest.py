"""Shared fixtures.

Backends come from the environment exactly as in production: with DATABASE_URL
and REDIS_URL set the suite runs on real PostgreSQL and Redis; without them on
the embedded SQLite and in-memory cache. S3 tests start moto in server mode and
talk HTTP to it; browser tests drive Debian's chromium through Playwright.

Vocabulary — every test names people and tenants the same way:

- `user`: someone who signed up (verified email, only their personal workspace);
  `other_user`: a second such person, in nothing of `user`'s. `auth_client` is
  signed in as `user`.
- `acme`: an organisation called Acme; `owner` owns it and `owner_client` is signed
  in as `owner`. `member_of_acme` and `admin_of_acme` hold the built-in `member` and
  `admin` roles there.
- `staff` is a superuser working in the Django admin, `staff_client` is signed in as
  `staff` (pytest-django's `admin_user`/`admin_client` are not used: "admin" is the
  tenant role). A `<person>_client` is always a test client signed in as `<person>`.
- Anyone else is named for the part they play (`outsider`, `attacker`, `victim`,
  `billing_admin`, ...) and made with the factories, which go through the services
  (`tests/accounts/factories.py`, `tests/tenants/factories.py`: `OrgFactory`,
  `add_member`, `make_role`, `make_team`) so audit rows and signals happen as in
  production. Fixtures are nouns; `test_` starts test functions only.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test.utils import override_settings

from sso.saml import xmlsec1_installed, xmlsec1_path
from tests.accounts.factories import UserFactory
from tests.tenants.factories import OrgFactory, add_member

CHROMIUM = "/usr/bin/chromium"
INSECURE_HOST = "insecure.pacetrack.test"  # the live server by a name browsers do not trust


def pytest_report_header(config: pytest.Config) -> list[str]:
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    browser = CHROMIUM if os.path.exists(CHROMIUM) else "missing (browser tests skipped)"
    xmlsec1 = xmlsec1_path() if xmlsec1_installed() else "missing (SAML tests skipped)"
    return [
        f"pacetrack backends: database={db} cache={cache} "
        f"storage=filesystem+moto-s3 email=locmem browser={browser} xmlsec1={xmlsec1}"
    ]


# --- Fast, isolated defaults for every test ----------------------------------


@pytest.fixture(scope="session", autouse=True)
def _test_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Fast hashing, files under a temp dir, and a cache prefix per xdist worker so
    parallel workers sharing one Redis never see each other's keys."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    caches = {alias: dict(conf) for alias, conf in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{worker}"
    media = tmp_path_factory.mktemp("media")
    storages = dict(settings.STORAGES)
    if storages["default"]["BACKEND"].endswith("FileSystemStorage"):
        storages["default"] = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        }
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        CACHES=caches,
        MEDIA_ROOT=str(media),
        STORAGES=storages,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        SECURE_SSL_REDIRECT=False,
        RATELIMIT_KEY_PREFIX=f"test-{worker}:",
    ):
        yield


@pytest.fixture(autouse=True)
def _clean_ratelimits() -> Iterator[None]:
    """Every test starts with empty rate-limit counters (this worker's keys only), so
    tests that sign in several times never trip a limit left by another test."""
    from ratelimit.backends import reset_backends
    from ratelimit.exceptions import BackendUnavailable
    from ratelimit.services import ratelimit_clear_all, reset_warning_throttle

    with contextlib.suppress(BackendUnavailable):
        ratelimit_clear_all()
    reset_backends()
    reset_warning_throttle()
    yield


@pytest.fixture(autouse=True)
def _default_language_and_zone() -> Iterator[None]:
    """Each test starts in English and UTC. The active language and time zone belong to
    the thread, and a request made by an earlier test (a German user, Accept-Language:
    ar) leaves its own behind, as it would on a web worker until its next request."""
    from django.utils import timezone, translation

    translation.activate(settings.LANGUAGE_CODE)
    timezone.deactivate()
    yield


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    """Each test starts with an empty cache (only this worker's keys are removed)."""
    from django.core.cache import cache
    from redis.exceptions import RedisError

    yield
    if hasattr(cache, "delete_pattern"):
        # A test may have pointed the cache at a stopped Redis on purpose.
        with contextlib.suppress(RedisError):
            cache.delete_pattern("*")
    else:
        cache.clear()


# --- Services a test needs that a fresh machine may not have ------------------


@pytest.fixture(autouse=True)
def _needs_redis(request: pytest.FixtureRequest) -> None:
    """`@pytest.mark.redis` tests skip without REDIS_URL locally, and fail in CI."""
    if request.node.get_closest_marker("redis") and not os.environ.get("REDIS_URL"):
        if os.environ.get("CI"):
            pytest.fail("REDIS_URL must be set in CI: these tests run against real Redis")
        pytest.skip("needs a real Redis: set REDIS_URL")


@pytest.fixture(autouse=True)
def _needs_xmlsec1(request: pytest.FixtureRequest) -> None:
    """`@pytest.mark.xmlsec1` tests (SAML signatures) skip without Debian's xmlsec1
    locally, and fail in CI, as the browser tests do without chromium."""
    if request.node.get_closest_marker("xmlsec1") and not xmlsec1_installed():
        if os.environ.get("CI"):
            pytest.fail(f"{xmlsec1_path()} is required in CI (apt-get install xmlsec1)")
        pytest.skip("Debian's xmlsec1 is not installed (apt-get install xmlsec1)")


# --- People and tenants -------------------------------------------------------


@pytest.fixture
def user(db: None) -> Any:
    return UserFactory()


@pytest.fixture
def other_user(db: None) -> Any:
    return UserFactory()


@pytest.fixture
def auth_client(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


@pytest.fixture
def staff(db: None) -> Any:
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client: Any, staff: Any) -> Any:
    client.force_login(staff)
    return client


@pytest.fixture
def owner(db: None) -> Any:
    return UserFactory()


@pytest.fixture
def acme(owner: Any) -> Any:
    """An organisation owned by `owner`."""
    return OrgFactory(owner=owner, name="Acme")


@pytest.fixture
def member_of_acme(acme: Any) -> Any:
    """A plain member of acme (role `member`)."""
    return add_member(acme).user


@pytest.fixture
def admin_of_acme(acme: Any) -> Any:
    return add_member(acme, role_key="admin").user


@pytest.fixture
def owner_client(client: Any, owner: Any) -> Any:
    client.force_login(owner)
    return client


@pytest.fixture
def billing_on(settings: Any) -> Any:
    """Billing configured (Stripe test key) with the shipped gating table: every
    workspace starts on Free, which lacks the paid features (`tests.billing.factories.
    subscribe` moves one to a plan). Without billing nothing is withheld."""
    settings.STRIPE_SECRET_KEY = "sk_test_pacetrack"
    settings.BILLING_BACKEND = "billing.backends.stripe.StripeBillingBackend"
    return settings


# --- S3 over HTTP (moto server) -------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A moto S3 server on a free loopback port; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_storage(moto_server: str, settings: Any) -> Iterator[Any]:
    """Point Django's default storage at the moto server through django-storages."""
    import boto3
    from django.core.files.storage import default_storage

    bucket = f"pacetrack-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    client = boto3.client(
        "s3",
        endpoint_url=moto_server,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=bucket)
    settings.S3_BUCKET = bucket
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": moto_server,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "addressing_style": "path",
                "signature_version": "s3v4",
                "default_acl": None,
                "file_overwrite": False,
            },
        },
    }
    yield default_storage
    for obj in client.list_objects_v2(Bucket=bucket).get("Contents", []):
        client.delete_object(Bucket=bucket, Key=obj["Key"])


# --- Browser ------------------------------------------------------------------


@pytest.fixture(scope="session")
def _browser() -> Iterator[Any]:
    if not shutil.which("chromium") and not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made
    # by test code around it are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-gpu",
                # A name for the live server that is not "potentially trustworthy" as
                # localhost is: pages there are not a secure context (plain HTTP).
                f"--host-resolver-rules=MAP {INSECURE_HOST} 127.0.0.1",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _plain_http_cookies(request: pytest.FixtureRequest) -> None:
    """Browser tests talk to the live server over plain HTTP: their session and CSRF
    cookies go without `Secure` (so without the `__Host-` prefix)."""
    if request.node.get_closest_marker("browser") is None:
        return
    settings = request.getfixturevalue("settings")
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def browser_context(_browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser profile (own cookies) against the live server."""
    context = _browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(browser_context: Any) -> Any:
    return browser_context.new_page()
