"""Django session engine backed by `sessions_app.models.Session`.

Set as SESSION_ENGINE, so Django's login(), logout(), the admin, CSRF, messages
and the test client's force_login() all work unchanged. What differs from
`django.contrib.sessions.backends.db`:

- `session_key` is a signed random token; the row is found by its SHA-256. A
  cookie with a bad signature is an empty session without any query.
- Only signed-in sessions are stored: no row without a user.
- `cycle_key()` (login) creates a new token and revokes the old row; `delete()`
  (logout) revokes, it never deletes.
- `_auth_user_id` and `active_tenant_id` are columns; other keys go to `data`.
- Expiry is the row's `expires_at`; renewal and activity writes are throttled
  in `touch()`, called by `sessions_app.middleware.SessionMiddleware`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from sessions_app.devices import device_fields
from sessions_app.models import Session
from sessions_app.selectors import session_with_user_get
from sessions_app.services import session_cleanup, session_create, session_revoke
from sessions_app.tokens import (
    token_hash,
    token_needs_resigning,
    token_new,
    token_sign,
    token_unsign,
)

if TYPE_CHECKING:
    from accounts.models import User

ACTIVE_TENANT_KEY = "active_tenant_id"


def _no_ip() -> str | None:
    return None


# Keys that live in columns rather than in `data`.
COLUMN_KEYS = frozenset({SESSION_KEY, ACTIVE_TENANT_KEY})


class SessionStore(SessionBase):
    if TYPE_CHECKING:
        # SessionBase's private session cache, which this engine builds on (as Django's
        # own engines do); django-stubs leaves it out.
        _session_cache: dict[str, Any]

        def _get_session(self, no_load: bool = False) -> dict[str, Any]: ...

        @property
        def _session(self) -> dict[str, Any]: ...

    def __init__(self, session_key: str | None = None) -> None:
        self._row: Session | None = None
        self._pending: dict[str, Any] = {}
        self._client_ip: Callable[[], str | None] = _no_ip
        # (cookie value, token) once the signature verified: load() does not check it again.
        self._verified: tuple[str, str] | None = None
        self._user_agent = ""
        self.key_changed = False
        # Why the row is revoked when flush()/delete() runs; auth sets it on a stale hash.
        self.revoke_reason: str = Session.RevokedReason.SIGNED_OUT
        # Why the session this cookie named ended, if it was revoked (here or before this
        # request) rather than expired: its `revoked_reason`. "" for no cookie, a forged
        # or unknown one, plain expiry, or a live session (sessions_app.notices reads it).
        self.ended_reason: str = ""
        self.ended_row_id: int | None = None  # its row, which the notice marks as told
        super().__init__(session_key)

    # --- Keys -------------------------------------------------------------------

    def _validate_session_key(self, key: str | None) -> bool:
        # An unsigned or tampered key is no key at all: nothing is looked up.
        token = token_unsign(key)
        if token is None or key is None:
            return False
        self._verified = (key, token)
        return True

    def _token(self) -> str | None:
        """The token inside the current key, verified once per key (HMAC is not free)."""
        key = self.session_key
        if self._verified is not None and self._verified[0] == key:
            return self._verified[1]
        return token_unsign(key)

    def _new_key(self) -> None:
        self._session_key = token_sign(token_new())
        self._row = None
        self._pending = {}
        self.key_changed = True

    # --- Request context (set by the middleware) ----------------------------------

    def bind_client(self, *, ip_address: Callable[[], str | None], user_agent: str) -> None:
        """Where this request comes from; recorded on new rows and activity writes.

        The IP is a function, called only when a row is written: working it out
        (forwarding headers, parsing) is wasted on the requests that write nothing.
        """
        self._client_ip = ip_address
        self._user_agent = user_agent[:500]

    @property
    def row(self) -> Session | None:
        """The signed-in session's row (loads the session if needed)."""
        self._get_session()
        return self._row

    @property
    def user(self) -> User | None:
        """The user loaded with the row, in the same query."""
        row = self.row
        return row.user if row is not None else None

    # --- SessionBase interface ------------------------------------------------------

    def load(self) -> dict[str, Any]:
        token = self._token()
        row = None
        if token is not None:
            row = session_with_user_get(token_hash=token_hash(token))
        if row is None or not row.is_valid():
            # Expired, revoked or unknown: anonymous, and the middleware clears the cookie.
            # The row was read anyway, so why it was revoked costs no query.
            if row is not None and row.revoked_while_valid:
                self.ended_reason, self.ended_row_id = row.revoked_reason, row.pk
            self._session_key = None
            self._row = None
            return {}
        self._row = row
        if token is not None and token_needs_resigning(self.session_key or "", token):
            # SESSION_SECRET was rotated: same token and row, cookie re-signed on the way out.
            self._session_key = token_sign(token)
            self.key_changed = True
        data = dict(row.data)
        data[SESSION_KEY] = row.user._meta.pk.value_to_string(row.user)
        if row.active_tenant_id is not None:
            data[ACTIVE_TENANT_KEY] = row.active_tenant_id
        return data

    def exists(self, session_key: str) -> bool:
        token = token_unsign(session_key)
        return token is not None and Session.objects.filter(token_hash=token_hash(token)).exists()

    def create(self) -> None:
        """A fresh key; the row is written by save() once the session has a user."""
        self._new_key()
        self._session_cache = {}
        self.modified = True

    def save(self, must_create: bool = False) -> None:
        """Insert the row for a newly signed-in session, or write what changed.

        Anonymous sessions are never stored; they only get a key so that callers
        which expect one (the test client) have it.
        """
        data = self._get_session(no_load=must_create)
        if self.session_key is None:
            self._new_key()
        if SESSION_KEY not in data:
            return
        extra = {k: v for k, v in data.items() if k not in COLUMN_KEYS}
        tenant_id = data.get(ACTIVE_TENANT_KEY)
        if self._row is None:
            self._row = session_create(
                user_id=int(data[SESSION_KEY]),
                token=self._token() or "",
                ip_address=self._client_ip(),
                user_agent=self._user_agent,
                active_tenant_id=tenant_id,
                data=extra,
            )
            self._pending = {}
            return
        fields = dict(self._pending)
        if extra != self._row.data:
            fields["data"] = extra
        if tenant_id != self._row.active_tenant_id:
            fields["active_tenant_id"] = tenant_id
        if fields:
            Session.objects.filter(pk=self._row.pk).update(**fields)
            for name, value in fields.items():
                setattr(self._row, name, value)
        self._pending = {}

    def delete(self, session_key: str | None = None) -> None:
        """Revoke (never delete) the session; Django calls this from flush() on logout."""
        if session_key is None or session_key == self.session_key:
            row = self._row
            self._row = None
            if row is not None:
                session_revoke(session=row, reason=self.revoke_reason)
                self.ended_reason, self.ended_row_id = self.revoke_reason, row.pk
                return
            session_key = self.session_key
        token = token_unsign(session_key)
        if token is not None:
            Session.objects.filter(token_hash=token_hash(token), revoked_at__isnull=True).update(
                revoked_at=timezone.now(), revoked_reason=self.revoke_reason
            )

    def cycle_key(self) -> None:
        """New token and row for the same data (no fixation); the old row is revoked."""
        data = self._session
        old = self._row
        self.create()
        self._session_cache = data
        if old is not None:
            session_revoke(session=old, reason=Session.RevokedReason.ROTATED)

    @classmethod
    def clear_expired(cls) -> None:
        session_cleanup(days=0)

    # --- Expiry, renewal, activity ------------------------------------------------

    def get_expiry_date(self, **kwargs: Any) -> datetime:
        row = self.row
        if row is not None:
            return row.expires_at
        return super().get_expiry_date(**kwargs)

    def get_expiry_age(self, **kwargs: Any) -> int:
        row = self.row
        if row is not None:
            delta = row.expires_at - kwargs.get("modification", timezone.now())
            return max(0, round(delta.total_seconds()))
        return super().get_expiry_age(**kwargs)

    def touch(self, *, now: datetime) -> bool:
        """Queue the throttled activity write and the rolling renewal.

        Returns True when the expiry moved, so the cookie must be sent again.
        Nothing is queued on most requests: activity at most every
        SESSIONS_ACTIVITY_INTERVAL, renewal only when under SESSIONS_RENEW_BELOW
        remains, and never beyond the absolute lifetime.
        """
        row = self._row
        if row is None:
            return False
        renewed = False
        if row.expires_at - now < timedelta(seconds=settings.SESSIONS_RENEW_BELOW):
            target = min(now + timedelta(seconds=settings.SESSION_COOKIE_AGE), row.absolute_expiry)
            if target > row.expires_at:
                self._pending["expires_at"] = target
                renewed = True
        interval = timedelta(seconds=settings.SESSIONS_ACTIVITY_INTERVAL)
        if now - row.last_activity_at >= interval:
            self._pending["last_activity_at"] = now
            ip_address = self._client_ip()
            if ip_address and ip_address != row.ip_address:
                self._pending["ip_address"] = ip_address
            if self._user_agent != row.user_agent:
                self._pending["user_agent"] = self._user_agent
                self._pending.update(device_fields(self._user_agent))
        return renewed

    @property
    def has_pending_writes(self) -> bool:
        return bool(self._pending)
