"""The middleware applies the right tier to each request, with headers and a friendly 429."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from ratelimit.keys import account_identity
from ratelimit.services import ratelimit_status

pytestmark = pytest.mark.urls("tests.ratelimit.urls")

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)
SIGN_IN = "/rl/auth/sign-in/"


@pytest.fixture(autouse=True)
def _stand_in_views(settings: Any) -> None:
    """Point the tiers at tests/ratelimit/urls.py's stand-in views."""
    settings.RATELIMIT_AUTH_VIEWS = {
        f"rl-{name}": field for name, field in settings.RATELIMIT_AUTH_VIEWS.items()
    }
    settings.RATELIMIT_OWN_BUDGET_VIEWS = {
        f"rl-{name}": budget for name, budget in settings.RATELIMIT_OWN_BUDGET_VIEWS.items()
    }
    settings.RATELIMIT_SERVE_NAMESPACES = ["rl-serve"]
    settings.RATELIMIT_EXEMPT_VIEWS = ["rl-healthz", "rl-stripe:webhook"]


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def backend(request: pytest.FixtureRequest, settings: Any) -> str:
    """Run the test on the in-process store and on real Redis."""
    settings.RATELIMIT_BACKEND = {
        "memory": "ratelimit.backends.memory.MemoryBackend",
        "redis": "ratelimit.backends.redis.RedisBackend",
    }[request.param]
    return request.param


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def sign_in(client: Client, ip: str = "203.0.113.7", email: str = "ann@example.com", **extra: Any):
    return client.post(SIGN_IN, {"email": email, "password": "x"}, REMOTE_ADDR=ip, **extra)


def test_auth_tier_allows_five_sign_ins_and_refuses_the_sixth(
    client: Client, backend: str, clock: Any
) -> None:
    codes = [sign_in(client).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]


def test_the_auth_tier_window_slides(client: Client, backend: str, clock: Any) -> None:
    for _ in range(5):
        sign_in(client)
        clock.shift(60)  # hits at 0, 1, 2, 3, 4 minutes
    clock.move_to(datetime(2025, 3, 1, 12, 14, 59, tzinfo=UTC))
    assert sign_in(client).status_code == 429
    clock.move_to(datetime(2025, 3, 1, 12, 15, 0, tzinfo=UTC))  # the first hit leaves
    assert sign_in(client).status_code == 200
    assert sign_in(client).status_code == 429  # the second is still inside


def test_rendering_the_sign_in_form_does_not_count(client: Client, backend: str) -> None:
    for _ in range(10):
        assert client.get(SIGN_IN).status_code == 200
    assert sign_in(client).headers["X-RateLimit-Remaining"] == "4"


def test_headers_on_allowed_and_refused_responses(client: Client, backend: str, clock: Any) -> None:
    first = sign_in(client)
    assert first.headers["X-RateLimit-Limit"] == "5"
    assert first.headers["X-RateLimit-Remaining"] == "4"
    assert first.headers["X-RateLimit-Reset"] == str(NOW_MS + 15 * 60_000)
    assert "Retry-After" not in first.headers
    clock.shift(100)
    for _ in range(3):
        sign_in(client)
    refused = sign_in(client)
    assert refused.status_code == 200  # fifth
    refused = sign_in(client)
    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.headers["X-RateLimit-Reset"] == str(NOW_MS + 15 * 60_000)
    assert refused.headers["Retry-After"] == str(15 * 60 - 100)
    assert "no-store" in refused.headers["Cache-Control"]


def test_browsers_get_the_friendly_page(client: Client, backend: str) -> None:
    for _ in range(5):
        sign_in(client)
    response = sign_in(client, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    html = response.content.decode()
    assert response.status_code == 429
    assert "Too many requests" in html and "about 15 minutes" in html
    assert "<html" in html


def test_json_clients_get_json(client: Client, backend: str, clock: Any) -> None:
    for _ in range(5):
        sign_in(client)
    response = sign_in(client, HTTP_ACCEPT="application/json")
    assert response.status_code == 429
    assert response.json() == {"error": "rate_limited", "retry_after": 900}


def test_htmx_requests_get_a_notice_swapped_into_the_page(client: Client, backend: str) -> None:
    for _ in range(5):
        sign_in(client)
    response = sign_in(client, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 429
    assert "Slow down a little" in html and "<html" not in html
    assert response.headers["HX-Retarget"] == "#main"
    assert response.headers["HX-Reswap"] == "afterbegin"


def test_sign_ups_from_one_office_never_pause_its_sign_ins(client: Client, backend: str) -> None:
    """Five colleagues signing up behind one address paused sign-in there for everyone
    on a new browser; sign-ups now have a budget of their own."""
    for n in range(6):
        data = {"email": f"colleague{n}@example.com"}
        assert client.post("/rl/auth/sign-up/", data, REMOTE_ADDR="203.0.113.7").status_code == 200

    assert sign_in(client).status_code == 200


def test_sign_ups_from_one_address_are_paused_past_their_own_budget(
    client: Client, backend: str
) -> None:
    """Every submission counts (a valid one sends an email), failed sign-ins do not."""
    for _ in range(5):
        sign_in(client)
    data = {"email": "new@example.com"}
    for _ in range(20):
        assert client.post("/rl/auth/sign-up/", data, REMOTE_ADDR="203.0.113.7").status_code == 200
    assert client.post("/rl/auth/sign-up/", data, REMOTE_ADDR="203.0.113.7").status_code == 429


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/rl/auth/password/forgot/", {"email": "ann@example.com"}),
        ("/rl/auth/password/reset/tok3n/", {"password": "x"}),
    ],
)
def test_password_recovery_has_an_ip_budget_of_its_own(
    client: Client, backend: str, path: str, data: dict[str, str]
) -> None:
    """The failed sign-ins that made someone reset never block the way out."""
    for _ in range(5):
        sign_in(client)
    assert sign_in(client).status_code == 429
    codes = [client.post(path, data, REMOTE_ADDR="203.0.113.7").status_code for _ in range(11)]
    assert codes == [200] * 10 + [429]


@pytest.mark.django_db
def test_many_ips_cannot_brute_force_one_account(client: Client, backend: str) -> None:
    codes = [
        sign_in(client, ip=f"198.51.100.{i}", email="Victim@Example.com").status_code
        for i in range(11)
    ]
    assert codes == [200] * 10 + [429]
    # The key is the hash of the lower-cased address; another account is unaffected.
    assert ratelimit_status(tier="auth-account", identity=account_identity("victim@example.com"))
    assert sign_in(client, ip="198.51.100.99", email="other@example.com").status_code == 200


def test_a_refused_ip_does_not_burn_the_accounts_budget(client: Client, backend: str) -> None:
    for _ in range(8):
        sign_in(client, email="victim@example.com")
    usage = ratelimit_status(tier="auth-account", identity=account_identity("victim@example.com"))
    assert usage.remaining == 5


def test_ipv6_clients_are_keyed_by_their_64(client: Client, backend: str) -> None:
    for i in range(5):
        assert sign_in(client, ip=f"2001:db8:1:2::{i + 1}").status_code == 200
    assert sign_in(client, ip="2001:db8:1:2:ffff::9").status_code == 429
    assert sign_in(client, ip="2001:db8:1:3::1").status_code == 200


def test_a_spoofed_x_forwarded_for_is_ignored_without_trusted_proxies(
    client: Client, backend: str
) -> None:
    for i in range(5):
        sign_in(client, HTTP_X_FORWARDED_FOR=f"10.9.9.{i}")
    assert sign_in(client, HTTP_X_FORWARDED_FOR="10.9.9.200").status_code == 429


def test_x_forwarded_for_keys_clients_behind_a_trusted_proxy(
    client: Client, backend: str, settings: Any
) -> None:
    settings.TRUSTED_PROXIES = "10.0.0.0/8"
    for _ in range(5):
        sign_in(client, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert sign_in(client, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert sign_in(client, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200


def test_serve_tier_limits_file_downloads_per_ip(
    client: Client, backend: str, settings: Any
) -> None:
    settings.RATELIMIT_TIERS = {**settings.RATELIMIT_TIERS, "serve": {"rate": "3/1h"}}
    codes = [client.get("/rl/serve/avatars/a.png").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get("/rl/serve/avatars/a.png", REMOTE_ADDR="192.0.2.1").status_code == 200


SIGNED_IN_TIERS = ("pages", "actions", "admin", "api")


def rates(settings: Any, **tiers: str) -> None:
    """Override tier rates: rates(settings, pages="3/15m")."""
    settings.RATELIMIT_TIERS = {
        **settings.RATELIMIT_TIERS,
        **{tier: {"rate": rate} for tier, rate in tiers.items()},
    }


@pytest.mark.django_db
def test_pages_tier_limits_each_signed_in_user(
    client: Client, backend: str, settings: Any, user: Any, other_user: Any
) -> None:
    rates(settings, pages="3/15m")
    client.force_login(user)
    codes = [client.get("/page/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    other = Client()
    other.force_login(other_user)
    response = other.get("/page/")
    assert response.status_code == 200
    assert response.headers["X-RateLimit-Limit"] == "3"


@pytest.mark.django_db
def test_page_views_htmx_gets_and_state_changes_have_separate_budgets(
    client: Client, backend: str, settings: Any, user: Any
) -> None:
    rates(settings, pages="3/15m", actions="2/15m")
    client.force_login(user)
    views = [client.get("/page/").status_code, client.get("/page/", HTTP_HX_REQUEST="true")]
    assert [views[0], views[1].status_code] == [200, 200]
    assert views[1].headers["X-RateLimit-Limit"] == "3"  # an htmx GET is a page view
    posts = [client.post("/page/").status_code for _ in range(3)]
    assert posts == [200, 200, 429]
    # Running out of state changes leaves reading alone, and the other way round.
    assert client.get("/page/").status_code == 200
    assert client.get("/page/").status_code == 429
    assert client.post("/page/").status_code == 429


@pytest.mark.django_db
def test_the_admin_and_the_json_api_have_their_own_tiers(
    client: Client, backend: str, settings: Any, user: Any
) -> None:
    rates(settings, pages="1/15m", admin="2/15m", api="3/15m")
    settings.RATELIMIT_API_NAMESPACES = ["rl-api"]
    client.force_login(user)
    assert client.get("/page/").status_code == 200
    assert client.get("/page/").status_code == 429
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin.headers["X-RateLimit-Limit"] == "2"
    api = client.get("/rl/api/things/", HTTP_ACCEPT="application/json")
    assert api.status_code == 200 and api.headers["X-RateLimit-Limit"] == "3"


@pytest.mark.django_db
@pytest.mark.redis
def test_a_signed_in_request_costs_one_redis_round_trip(
    client: Client, use_redis: None, user: Any, redis_commands: Any
) -> None:
    client.force_login(user)
    client.get("/page/")  # loads the script if this server did not know it yet
    sent = redis_commands()
    assert client.get("/page/").status_code == 200
    assert client.post("/page/").status_code == 200
    assert len(sent) == 2


def test_anonymous_pages_are_not_limited_and_load_no_session(
    client: Client, backend: str, settings: Any
) -> None:
    # No django_db mark: loading a session or a user would fail the test.
    rates(settings, **dict.fromkeys(SIGNED_IN_TIERS, "1/15m"))
    for _ in range(3):
        response = client.get("/page/")
        assert response.status_code == 200
        assert "X-RateLimit-Limit" not in response.headers
    assert settings.SESSION_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/rl/healthz/", "/rl/billing/stripe/webhook/", "/static/app.css"])
def test_health_checks_webhook_and_static_files_are_exempt(
    client: Client, backend: str, settings: Any, user: Any, path: str
) -> None:
    rates(settings, **dict.fromkeys(SIGNED_IN_TIERS, "1/15m"))
    client.force_login(user)
    for _ in range(3):
        response = client.post(path) if "webhook" in path else client.get(path)
        assert response.status_code != 429
        assert "X-RateLimit-Limit" not in response.headers


def test_ratelimit_enabled_false_turns_everything_off(client: Client, settings: Any) -> None:
    settings.RATELIMIT_ENABLED = False
    for _ in range(10):
        response = sign_in(client)
        assert response.status_code == 200
        assert "X-RateLimit-Limit" not in response.headers


def test_fifty_parallel_requests_with_limit_ten_let_exactly_ten_through(
    backend: str, settings: Any
) -> None:
    settings.RATELIMIT_TIERS = {**settings.RATELIMIT_TIERS, "serve": {"rate": "10/1h"}}
    codes: list[int] = []
    start = threading.Barrier(50)

    def request() -> None:
        own_client = Client()
        start.wait()
        codes.append(own_client.get("/rl/serve/f/x.png").status_code)

    threads = [threading.Thread(target=request) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200] * 10 + [429] * 40


# --- Redis unavailable -------------------------------------------------------


def test_redis_down_auth_falls_back_to_a_per_process_limiter(
    client: Client, redis_down: None, caplog: Any
) -> None:
    with caplog.at_level(logging.WARNING, logger="pacetrack.ratelimit"):
        codes = [sign_in(client).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    warnings = [r for r in caplog.records if r.name == "pacetrack.ratelimit"]
    assert len(warnings) == 1  # at most one a minute, however many requests fail
    assert "unavailable" in warnings[0].getMessage()


@pytest.mark.django_db
def test_redis_down_serve_and_api_fail_open_without_headers(
    client: Client, redis_down: None, settings: Any, user: Any
) -> None:
    settings.RATELIMIT_TIERS = {
        **settings.RATELIMIT_TIERS,
        "serve": {"rate": "1/1h", "when_unavailable": "fail_open"},
        "pages": {"rate": "1/1h", "when_unavailable": "fail_open"},
    }
    for _ in range(3):
        response = client.get("/rl/serve/f/x.png")
        assert response.status_code == 200
        assert "X-RateLimit-Limit" not in response.headers
    client.force_login(user)
    assert [client.get("/page/").status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.redis
def test_redis_stopped_mid_test_each_tier_follows_its_mode(
    client: Client, use_redis: None, settings: Any
) -> None:
    from tests.ratelimit.conftest import CLOSED_PORT_REDIS

    settings.RATELIMIT_TIERS = {**settings.RATELIMIT_TIERS, "serve": {"rate": "2/1h"}}
    assert [client.get("/rl/serve/f/x.png").status_code for _ in range(3)] == [200, 200, 429]
    for _ in range(3):
        sign_in(client)
    settings.CACHES = CLOSED_PORT_REDIS  # Redis "stops"
    # serve fails open; auth keeps limiting in this process (its count restarts at zero).
    assert client.get("/rl/serve/f/x.png").status_code == 200
    assert [sign_in(client).status_code for _ in range(6)] == [200] * 5 + [429]


@pytest.mark.parametrize(
    ("referer", "back"),
    [
        ("http://testserver/rl/auth/sign-in/?next=/t/acme/", "/rl/auth/sign-in/?next=/t/acme/"),
        ("https://evil.example/phish/", SIGN_IN),  # never off the site
        ("", SIGN_IN),
    ],
)
def test_a_refused_form_links_back_to_the_page_it_was_sent_from(
    client: Client, backend: str, referer: str, back: str
) -> None:
    """keep-typed.js fills that page's form again from what was typed."""
    extra = {"HTTP_REFERER": referer} if referer else {}
    responses = [sign_in(client, **extra) for _ in range(6)]
    assert responses[-1].status_code == 429
    html = responses[-1].content.decode()
    assert f'href="{back}" data-refused-post>Back to the form</a>' in html
