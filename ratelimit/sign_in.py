"""Settling a sign-in attempt once the form has answered.

The middleware counts every sign-in POST against the client's IP and the account
(or this browser's known-device id) *before* the view runs: the count is atomic,
so a burst of parallel guesses can never get more than the limit through. Here,
after the view:

- a successful sign-in takes its hits back, so only failures stay counted (an
  office of twenty behind one address can all sign in); the middleware gives the
  browser the known-device cookie;
- a failure that used up a budget is logged; when it was an account's, sign-in
  to it from new devices is "paused" and the owner is emailed, at most hourly.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest

from core.client_ip import client_ip
from core.security_log import security_event
from ratelimit.backends import Usage
from ratelimit.policy import Check, sign_in_email
from ratelimit.services import ratelimit_consume, ratelimit_release, tier_rate
from ratelimit.signals import sign_in_paused


def sign_in_settle(
    request: HttpRequest, *, counted: list[tuple[Check, Usage]], signed_in: bool
) -> None:
    """Take back the hits of a successful sign-in; notice an account paused by a failure."""
    if signed_in:
        for check, usage in counted:
            ratelimit_release(tier=check.tier, identity=check.identity, usage=usage)
        return
    for check, usage in counted:
        if usage.remaining == 0:
            _paused(request, check=check)


def _paused(request: HttpRequest, *, check: Check) -> None:
    # An account's counter key is already the hash of its email; a device id is secret.
    account = {"account": check.identity} if check.key_type == "account" else {}
    security_event(
        "sign_in.paused",
        level=logging.WARNING,  # given, so mypy knows `**account` cannot fill it
        tier=check.tier,
        key_type=check.key_type,
        ip=client_ip(request),
        path=request.path,
        **account,
    )
    if check.key_type != "account":
        return
    # The notice has its own one-an-hour budget: an attacker re-arming the pause
    # every few minutes must not flood the owner's inbox.
    notice = ratelimit_consume(tier="auth-notice", identity=check.identity)
    if notice is not None and not notice.allowed:
        return
    minutes = tier_rate(check.tier).window_ms // 60_000
    # Accounts emails the owner (accounts.receivers.on_sign_in_paused).
    sign_in_paused.send(sender=sign_in_settle, email=sign_in_email(request), minutes=minutes)
