"""Who is calling: Basic, OAuth bearer tokens (from ``/oauth_token.do``), static tokens, API keys.

Secrets are compared with :func:`hmac.compare_digest` and never logged; the request log only
keeps the user name a request authenticated as (servicenow-facts.md §3.5 for the OAuth shapes).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import math
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

from snow_preflight.simulator.scenarios import Scenario


@dataclass(frozen=True)
class Identity:
    user_name: str
    scheme: str  # "basic" | "bearer" | "apikey"


@dataclass
class _Token:
    user_name: str
    expires_at: float | None  # monotonic; None = never


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class Authenticator:
    def __init__(self, scenario: Scenario, active_users: set[str], expires_in: float) -> None:
        self._passwords = dict(scenario.users)
        self._active = active_users
        self._clients = list(scenario.oauth_clients)
        self._lock = threading.Lock()
        self._access: dict[str, _Token] = {t: _Token(u, None) for t, u in scenario.tokens.items()}
        self._refresh: dict[str, _Token] = {}
        self._api_keys = dict(scenario.api_keys)
        self.expires_in = expires_in

    def check_password(self, user_name: str, password: str) -> bool:
        expected = self._passwords.get(user_name)
        return expected is not None and user_name in self._active and _same(expected, password)

    def identify(self, headers: Mapping[str, str]) -> Identity | None:
        """The identity the request's credentials prove, or None (→ 401)."""
        api_key = headers.get("x-sn-apikey")
        if api_key:
            for key, user in self._api_keys.items():
                if _same(key, api_key):
                    return Identity(user, "apikey")
            return None
        header = headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return None
            user, _, password = decoded.partition(":")
            return Identity(user, "basic") if self.check_password(user, password) else None
        if scheme.lower() == "bearer":
            with self._lock:
                token = self._access.get(value.strip())
            if token is None or (token.expires_at is not None and time.monotonic() >= token.expires_at):
                return None
            return Identity(token.user_name, "bearer")
        return None

    def _client(self, client_id: str, client_secret: str) -> dict[str, str] | None:
        for client in self._clients:
            if _same(client["client_id"], client_id) and _same(client["client_secret"], client_secret):
                return client
        return None

    def token(self, form: Mapping[str, str]) -> tuple[dict[str, object], str] | None:
        """Answer a ``/oauth_token.do`` grant: (token JSON, user name), or None for 401."""
        client = self._client(form.get("client_id", ""), form.get("client_secret", ""))
        if client is None:
            return None
        grant = form.get("grant_type", "")
        if grant == "password":
            user = form.get("username", "")
            if not self.check_password(user, form.get("password", "")):
                return None
        elif grant == "client_credentials":
            user = client.get("user", "")
            if not user:
                return None
        elif grant == "refresh_token":
            with self._lock:
                refresh = self._refresh.get(form.get("refresh_token", ""))
            if refresh is None:
                return None
            user = refresh.user_name
        else:
            return None
        access, refresh_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = self.expires_in
        with self._lock:
            self._access[access] = _Token(user, time.monotonic() + expires)
            self._refresh[refresh_token] = _Token(user, None)
        body: dict[str, object] = {
            "access_token": access,
            "refresh_token": refresh_token,
            "scope": "useraccount",
            "token_type": "Bearer",
            "expires_in": max(1, math.ceil(expires)),
        }
        return body, user
