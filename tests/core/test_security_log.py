"""Security events reach the `pacetrack.security` logger as structured lines.

Each test performs the event through HTTP and reads what an operator's log
pipeline would get: the `key=value` line and the same fields on the record.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client

from core.security_log import email_hash
from tenants.models import Role
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.tenants.factories import OrgFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def security_log(caplog: Any) -> Any:
    caplog.set_level(logging.INFO, logger="pacetrack.security")

    def events(name: str) -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.name == "pacetrack.security" and r.event == name]

    return events


def test_sign_in_success_and_failure_are_logged_with_a_hashed_email_and_no_password(
    client: Client, user: Any, security_log: Any
) -> None:
    client.post(
        "/auth/sign-in/",
        {"email": user.email, "password": "hunter2-guess"},
        REMOTE_ADDR="192.0.2.4",
    )
    client.post("/auth/sign-in/", {"email": user.email, "password": DEFAULT_PASSWORD})
    [failed] = security_log("sign_in.failed")
    [succeeded] = security_log("sign_in.succeeded")
    assert failed.levelno == logging.WARNING and succeeded.levelno == logging.INFO
    assert failed.account == succeeded.account == email_hash(user.email)
    assert failed.ip == "192.0.2.4" and failed.path == "/auth/sign-in/"
    assert succeeded.user_id == user.pk
    for record in (failed, succeeded):
        line = record.getMessage()
        assert line.startswith(f"event={record.event} ")
        assert f"account={email_hash(user.email)}" in line
        assert user.email not in line and "hunter2" not in line
        assert DEFAULT_PASSWORD not in line


def test_admin_sign_in_failures_are_logged_too(
    client: Client, user: Any, security_log: Any
) -> None:
    client.post("/admin/login/", {"username": user.email, "password": "nope"})
    [failed] = security_log("sign_in.failed")
    assert failed.account == email_hash(user.email) and failed.path == "/admin/login/"


def test_a_lockout_trip_is_logged_once_with_the_account_hash(security_log: Any) -> None:
    for i in range(11):
        Client().post(
            "/auth/sign-in/",
            {"email": "Victim@Example.com", "password": "x"},
            REMOTE_ADDR=f"203.0.113.{i}",
        )
    [paused] = security_log("sign_in.paused")
    assert paused.account == email_hash("victim@example.com")
    assert paused.ip == "203.0.113.9"  # the tenth failure paused it


def test_429s_are_logged_with_the_tier_and_key_type_but_not_the_key(security_log: Any) -> None:
    for _ in range(6):
        Client().post(
            "/auth/sign-in/", {"email": "ann@example.com", "password": "x"}, REMOTE_ADDR="192.0.2.9"
        )
    [refused] = security_log("ratelimit.refused")
    assert (refused.tier, refused.key_type, refused.ip) == ("auth", "ip", "192.0.2.9")
    assert refused.method == "POST" and refused.retry_after > 0
    assert "ann@example.com" not in refused.getMessage()


def test_a_tampered_session_cookie_is_logged(
    client: Client, user: Any, settings: Any, security_log: Any
) -> None:
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.cookies[settings.SESSION_COOKIE_NAME] = value[:-3] + "abc"
    response = client.get("/account/", REMOTE_ADDR="192.0.2.66")
    assert response.status_code == 302  # treated as signed out
    [tampered] = security_log("session.cookie_tampered")
    assert tampered.ip == "192.0.2.66" and tampered.path == "/account/"
    assert value not in tampered.getMessage()


def test_an_intact_or_missing_session_cookie_is_not_reported(
    client: Client, user: Any, security_log: Any
) -> None:
    client.get("/auth/sign-in/")
    client.force_login(user)
    client.get("/account/")
    assert security_log("session.cookie_tampered") == []


def test_cross_tenant_404s_on_tenant_urls_are_logged(
    client: Client, user: Any, other_user: Any, security_log: Any
) -> None:
    mine, theirs = OrgFactory(owner=user), OrgFactory(owner=other_user)
    client.force_login(user)
    assert client.get(f"/t/{theirs.slug}/members/").status_code == 404
    [not_member] = security_log("tenant.not_member")
    assert not_member.user_id == user.pk and not_member.slug == theirs.slug
    assert not_member.levelno == logging.WARNING

    their_role = Role.objects.filter(tenant=theirs).first()
    assert client.get(f"/t/{mine.slug}/roles/{their_role.pk}/").status_code == 404
    [not_found] = security_log("tenant.object_not_found")
    assert not_found.tenant_id == mine.pk
    assert not_found.path == f"/t/{mine.slug}/roles/{their_role.pk}/"


def test_client_supplied_values_cannot_forge_fields_or_lines(
    client: Client, settings: Any, security_log: Any
) -> None:
    settings.RATELIMIT_TIERS = {**settings.RATELIMIT_TIERS, "serve": {"rate": "1/1h"}}
    for _ in range(2):
        client.get("/serve/a%0Aevent=forged%20ip=1.2.3.4/x.png")
    [line] = [r.getMessage() for r in security_log("ratelimit.refused")]
    assert "\n" not in line
    assert ' path="/serve/a\\nevent=forged ip=1.2.3.4/x.png"' in line
