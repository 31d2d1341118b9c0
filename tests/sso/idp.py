"""A real OpenID provider on loopback for the sign-in tests (and a GitHub look-alike).

It speaks the protocol over HTTP, as Google, Entra ID or Okta would: discovery,
JWKS, /authorize (auto-consenting as `user`), /token (client secret and the PKCE
verifier checked), /userinfo, and GitHub's /user and /user/emails. ID tokens are
signed with RS256 by joserfc. `sabotage` makes the next ID token bad in one way, so
the refusal tests meet a provider that really sends such a token.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import socketserver
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

SABOTAGE = ("audience", "expired", "wrong_key", "replay_nonce", "issuer", "no_nonce")


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    nonce: str | None
    challenge: str
    claims: dict[str, Any]
    scope: str


@dataclass
class LocalIdP:
    """Start with `start()`; `issuer` is its base URL. Register clients in `clients`."""

    clients: dict[str, str] = field(default_factory=lambda: {"client-1": "secret-1"})
    user: dict[str, Any] = field(
        default_factory=lambda: {
            "sub": "idp-user-1",
            "email": "pat@example.com",
            "email_verified": True,
            "name": "Pat Example",
        }
    )
    sabotage: str | None = None  # one of SABOTAGE, for the next ID token only
    github_emails: list[dict[str, Any]] | None = None  # None: from `user`
    issuer: str = ""
    nonces_seen: list[str] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    _key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"})
    )
    _grants: dict[str, _Grant] = field(default_factory=dict)
    _tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    _server: Any = None

    def start(self) -> LocalIdP:
        self._server = make_server(
            "127.0.0.1", 0, self._app, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- what a test may ask of it directly -----------------------------------------

    def authorize_url_params(self, url: str) -> dict[str, str]:
        """The query of an /authorize URL our app built, as the provider reads it."""
        return {k: v[0] for k, v in parse_qs(url.split("?", 1)[1]).items()}

    def consent(self, authorize_url: str) -> str:
        """What the browser does at /authorize: returns the redirect back to the app."""
        status, headers, _ = self._authorize(self.authorize_url_params(authorize_url))
        assert status.startswith("302"), status
        return dict(headers)["Location"]

    # --- the protocol ----------------------------------------------------------------

    def _app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ["PATH_INFO"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        body: dict[str, str] = {}
        if environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length).decode()
            body = {k: v[0] for k, v in parse_qs(raw).items()}
        routes = {
            "/.well-known/openid-configuration": lambda: self._json(self._discovery()),
            "/jwks": lambda: self._json(KeySet([self._key]).as_dict(private=False)),
            "/authorize": lambda: self._authorize(query),
            "/token": lambda: self._token(environ, body),
            "/userinfo": lambda: self._userinfo(environ),
            "/user": lambda: self._github_user(environ),
            "/user/emails": lambda: self._github_emails(environ),
        }
        handler = routes.get(path)
        status, headers, payload = handler() if handler else self._json({"error": "nf"}, "404")
        start_response(status, headers)
        return [payload]

    def _json(self, data: Any, status: str = "200 OK") -> tuple[str, list[Any], bytes]:
        return status, [("Content-Type", "application/json")], json.dumps(data).encode()

    def _discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "email", "profile"],
        }

    def _authorize(self, query: dict[str, str]) -> tuple[str, list[Any], bytes]:
        if query.get("client_id") not in self.clients or query.get("response_type") != "code":
            return self._json({"error": "unauthorized_client"}, "400 Bad Request")
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return self._json({"error": "invalid_request", "why": "PKCE"}, "400 Bad Request")
        code = secrets.token_urlsafe(16)
        nonce = query.get("nonce")
        self._grants[code] = _Grant(
            client_id=query["client_id"],
            redirect_uri=query["redirect_uri"],
            nonce=nonce,
            challenge=query["code_challenge"],
            claims=dict(self.user),
            scope=query.get("scope", ""),
        )
        location = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
        return "302 Found", [("Location", location)], b""

    def _client(self, environ: dict[str, Any], body: dict[str, str]) -> str | None:
        auth = environ.get("HTTP_AUTHORIZATION", "")
        if auth.startswith("Basic "):
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        else:
            client_id, secret = body.get("client_id", ""), body.get("client_secret", "")
        return client_id if self.clients.get(client_id) == secret else None

    def _token(self, environ: dict[str, Any], body: dict[str, str]) -> tuple[str, list[Any], bytes]:
        self.token_requests.append(body)
        client_id = self._client(environ, body)
        grant = self._grants.pop(body.get("code", ""), None)
        if client_id is None:
            return self._json({"error": "invalid_client"}, "401 Unauthorized")
        if grant is None or grant.client_id != client_id:
            return self._json({"error": "invalid_grant"}, "400 Bad Request")
        if grant.redirect_uri != body.get("redirect_uri"):
            return self._json({"error": "invalid_grant", "why": "redirect_uri"}, "400 Bad Request")
        verifier = body.get("code_verifier", "").encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
        if digest != grant.challenge:
            return self._json({"error": "invalid_grant", "why": "PKCE"}, "400 Bad Request")
        access = secrets.token_urlsafe(16)
        self._tokens[access] = grant.claims
        answer: dict[str, Any] = {"access_token": access, "token_type": "Bearer", "expires_in": 300}
        if "openid" in grant.scope.split():
            answer["id_token"] = self._id_token(grant)
        return self._json(answer)

    def _id_token(self, grant: _Grant) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + 300,
            **grant.claims,
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        key = self._key
        sabotage, self.sabotage = self.sabotage, None
        if sabotage == "audience":
            claims["aud"] = "someone-else"
        elif sabotage == "expired":
            claims["iat"], claims["exp"] = now - 7200, now - 3600
        elif sabotage == "issuer":
            claims["iss"] = "https://evil.example"
        elif sabotage == "no_nonce":
            claims.pop("nonce", None)
        elif sabotage == "replay_nonce":
            claims["nonce"] = self.nonces_seen[-1]
        elif sabotage == "wrong_key":
            key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        if grant.nonce is not None:
            self.nonces_seen.append(grant.nonce)
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)

    def _bearer(self, environ: dict[str, Any]) -> dict[str, Any] | None:
        auth = environ.get("HTTP_AUTHORIZATION", "")
        token = auth.split(" ", 1)[1] if auth.lower().startswith(("bearer ", "token ")) else ""
        return self._tokens.get(token)

    def _userinfo(self, environ: dict[str, Any]) -> tuple[str, list[Any], bytes]:
        claims = self._bearer(environ)
        if claims is None:
            return self._json({"error": "invalid_token"}, "401 Unauthorized")
        return self._json(claims)

    def _github_user(self, environ: dict[str, Any]) -> tuple[str, list[Any], bytes]:
        claims = self._bearer(environ)
        if claims is None:
            return self._json({"message": "Bad credentials"}, "401 Unauthorized")
        user = {"id": claims["sub"], "login": "pat", "name": claims.get("name")}
        return self._json(user | {"email": claims.get("email")})

    def _github_emails(self, environ: dict[str, Any]) -> tuple[str, list[Any], bytes]:
        claims = self._bearer(environ)
        if claims is None:
            return self._json({"message": "Bad credentials"}, "401 Unauthorized")
        emails = self.github_emails
        if emails is None:
            emails = [
                {"email": claims["email"], "primary": True, "verified": claims["email_verified"]}
            ]
        return self._json(emails)
