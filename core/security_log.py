"""Security events as structured log lines on the `pacetrack.security` logger.

Each event is one line of `key=value` pairs, e.g.

    event=sign_in.failed account=5f0c…e1 ip=203.0.113.7 path=/auth/sign-in/

and the same fields as attributes of the log record (`record.event`,
`record.ip`…), for a JSON formatter or a log shipper. Values are quoted and
escaped when they hold spaces, quotes, `=` or control characters, so a
client-supplied path cannot forge a second line or a field.

Never log a password, a token or a raw email address: pass `email_hash(email)`,
the same SHA-256 the rate limiter keys accounts by, so an operator can match a
log line with `manage.py ratelimit_status auth-account:<email>`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re

from django.urls import Resolver404, resolve

logger = logging.getLogger("pacetrack.security")

_PLAIN = re.compile(r"^[\w.:/@+,\-\[\]]*$")


def email_hash(email: str) -> str:
    """SHA-256 of the trimmed, lower-cased address (hex)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _value(value: object) -> str:
    text = "" if value is None else str(value)
    return text if text and _PLAIN.match(text) else json.dumps(text)


def path_for_log(path: str) -> str:
    """`path` with the value of every URL argument named like a token replaced by
    `[token]`: a password reset, sign-up or verification link's token works like a
    password until it is used (and the access log wrote it down while it still did).
    Unresolvable paths are kept as they are."""
    try:
        match = resolve(path.split("?", 1)[0])
    except (Resolver404, ValueError):
        return path
    for name, value in match.kwargs.items():
        if "token" in name and isinstance(value, str) and value:
            path = path.replace(value, "[token]")
    return path


def security_event(event: str, *, level: int = logging.WARNING, **fields: object) -> None:
    """Log one security event. Field names become record attributes, so they must
    not clash with LogRecord's own (`name`, `msg`, `args`, `module`…). A `path` loses
    its tokens (`path_for_log`)."""
    if isinstance(fields.get("path"), str):
        fields["path"] = path_for_log(str(fields["path"]))
    line = " ".join(f"{key}={_value(value)}" for key, value in fields.items())
    logger.log(level, "event=%s %s", event, line, extra={"event": event, **fields})
