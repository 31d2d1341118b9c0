"""Signed-in users through HAProxy: browse tenant pages, invite, upload, change roles,
revoke a second device; every acknowledged write is remembered for the final count.

The browser, the invite form and the upload come from `make soak` (bench/soak.py);
only the address changes: every request goes to HAProxy.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from bench.soak import Browser, Record, invite_member, png
from cluster.topology import HAPROXY_PORT


class ProxiedBrowser(Browser):
    def port(self) -> int:
        return HAPROXY_PORT


@dataclass
class Org:
    email: str
    slug: str
    membership_id: int  # a second member whose role the owner changes
    roles: dict[str, int]  # built-in key -> role id


@dataclass
class Writes:
    """What the load generator was told succeeded, and what it saw afterwards."""

    roles: dict[int, tuple[str, bool]] = field(default_factory=dict)  # id -> (key, unsure)
    role_acks: int = 0
    stale_own_writes: list[str] = field(default_factory=list)  # invitee addresses
    revocations: list[bool] = field(default_factory=list)  # refused on the next request
    lock: threading.Lock = field(default_factory=threading.Lock)


def _acked(resp: Any) -> bool:
    return resp is not None and resp.status_code == 302


def change_role(me: ProxiedBrowser, org: Org, rnd: random.Random, writes: Writes) -> None:
    key = rnd.choice(["admin", "member", "billing_admin"])
    page = me.request("members", "GET", f"/t/{org.slug}/members/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text) if page else None
    if token is None:
        return
    resp = me.request(
        "role change",
        "POST",
        f"/t/{org.slug}/members/{org.membership_id}/role/",
        data={"csrfmiddlewaretoken": token[1], "role": org.roles[key]},
    )
    with writes.lock:
        if _acked(resp):
            writes.roles[org.membership_id] = (key, False)
            writes.role_acks += 1
        elif org.membership_id in writes.roles:
            # Unanswered: it may or may not have been applied; the final state is unsure.
            writes.roles[org.membership_id] = (writes.roles[org.membership_id][0], True)


def own_write_visible(me: ProxiedBrowser, org: Org, needle: str, w: Writes) -> None:
    """Right after an acknowledged invite, its audit entry must be on the audit page,
    a lag-tolerant page: the writer is pinned to the primary."""
    page = me.request("audit log (own write)", "GET", f"/t/{org.slug}/audit/")
    if page is not None and page.status_code == 200 and needle not in page.text:
        with w.lock:
            w.stale_own_writes.append(needle)


def revoke_second_device(me: ProxiedBrowser, t0: float, record: Record, w: Writes) -> None:
    """Sign in on a second browser, sign it out from the first, and the next request of
    the second must be refused at once (sessions are read from the primary)."""
    other = ProxiedBrowser(me.email, me.ip, t0, record, ua=f"{me.http.headers['User-Agent']}-2")
    if not other.sign_in():
        return
    page = me.request("devices", "GET", "/account/sessions/")
    ids = re.findall(r'action="/account/sessions/(\d+)/revoke/"', page.text) if page else []
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text) if page else None
    if not ids or token is None:
        return
    for pk in ids:
        resp = me.request(
            "session revoke",
            "POST",
            f"/account/sessions/{pk}/revoke/",
            data={"csrfmiddlewaretoken": token[1]},
        )
        if not (resp is not None and resp.status_code in (200, 302)):
            return
    after = other.request("revoked device", "GET", "/account/")
    if after is not None and after.status_code < 500:
        refused = after.status_code == 302 and "/auth/sign-in/" in after.headers.get("Location", "")
        with w.lock:
            w.revocations.append(refused)


def user_loop(
    i: int, org: Org, t0: float, stop: threading.Event, record: Record, writes: Writes
) -> None:
    rnd = random.Random(i)
    me = ProxiedBrowser(org.email, f"10.9.0.{i + 1}", t0, record, ua=f"cluster-{i}")
    if stop.wait(rnd.uniform(0, 4)):  # arrive over a few seconds, not in one Argon2 burst
        return
    while not me.sign_in():
        if stop.wait(1):
            return
    files = 0
    invited: list[str] = []
    while not stop.is_set():
        roll = rnd.random()
        if roll < 0.30:
            me.request("dashboard", "GET", f"/t/{org.slug}/")
        elif roll < 0.40:
            me.request("members", "GET", f"/t/{org.slug}/members/")
        elif roll < 0.50:
            me.request("audit log", "GET", f"/t/{org.slug}/audit/")
        elif roll < 0.57:
            me.request("files", "GET", f"/t/{org.slug}/files/")
        elif roll < 0.70:
            files += 1
            name = f"cluster-{i}-{files}.png"
            resp = me.request(
                "file upload",
                "POST",
                f"/t/{org.slug}/files/upload/",
                files={"file": (name, png(i * 1000 + files), "image/png")},
            )
            if _acked(resp):
                with record.lock:
                    record.acked_files.append((org.slug, name))
        elif roll < 0.80:
            before = len(invited)
            invite_member(me, i, org.slug, rnd, record, invited)
            if len(invited) > before:
                own_write_visible(me, org, invited[-1], writes)
        elif roll < 0.95:
            change_role(me, org, rnd, writes)
        else:
            revoke_second_device(me, t0, record, writes)
        stop.wait(rnd.uniform(0.1, 0.4))
