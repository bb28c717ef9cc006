"""How each request proves who it is: Basic, OAuth 2 (password grant or client credentials), bearer, API key.

An :class:`Authenticator` hands every attempt a ``requests`` auth object. Every request carries one, so
``requests`` never falls back to credentials from ``~/.netrc``. OAuth access tokens are fetched once, shared
by all threads under a lock, kept for their lifetime (``expires_in``) and renewed on expiry, or when the
instance answers 401 to the token that was used.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from requests import PreparedRequest
from requests.auth import AuthBase, HTTPBasicAuth

from snow_preflight.errors import PreflightError, UnexpectedResponseError
from snow_preflight.servicenow.connection import AuthMode, ConnectionSettings

#: ServiceNow's default access-token lifetime, used when the token answer has no ``expires_in``.
DEFAULT_TOKEN_LIFETIME = 1799.0

#: Fetches a token: takes the form fields of ``POST /oauth_token.do``, returns the parsed JSON answer.
TokenFetcher = Callable[[Mapping[str, str]], Mapping[str, Any]]


class HeaderAuth(AuthBase):
    """Sets one header on each request (``Authorization: Bearer …`` or ``x-sn-apikey``)."""

    def __init__(self, name: str, value: str) -> None:
        self._name = name
        self._value = value

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        request.headers[self._name] = self._value
        return request

    def __repr__(self) -> str:  # never show the value
        return f"HeaderAuth({self._name!r}, ...)"


class NoAuth(AuthBase):
    """Sends no credentials (the token request carries them in its form) and keeps ``~/.netrc`` out."""

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        return request


NO_AUTH = NoAuth()


@dataclass(frozen=True)
class _Token:
    value: str
    expires_at: float  # time.monotonic() after which we renew


class Authenticator:
    """Credentials for each attempt; thread-safe."""

    def __init__(self, conn: ConnectionSettings, fetch_token: TokenFetcher) -> None:
        self.mode: AuthMode = conn.auth_mode()
        self.username = conn.username
        self._fetch_token = fetch_token
        self._lock = threading.Lock()
        self._token: _Token | None = None
        self._failure: PreflightError | None = None
        self._static: AuthBase | None = None
        self._form: dict[str, str] = {}
        if self.mode == "basic":
            assert conn.username is not None
            assert conn.password is not None
            self._static = HTTPBasicAuth(conn.username, conn.password.get_secret_value())
        elif self.mode == "bearer":
            assert conn.token is not None
            self._static = HeaderAuth("Authorization", f"Bearer {conn.token.get_secret_value()}")
        elif self.mode == "api_key":
            assert conn.api_key is not None
            self._static = HeaderAuth("x-sn-apikey", conn.api_key.get_secret_value())
        else:
            assert conn.client_id is not None
            assert conn.client_secret is not None
            self._form = {"client_id": conn.client_id, "client_secret": conn.client_secret.get_secret_value()}
            if self.mode == "oauth_password":
                assert conn.username is not None
                assert conn.password is not None
                self._form.update(
                    grant_type="password", username=conn.username, password=conn.password.get_secret_value()
                )
            else:
                self._form["grant_type"] = "client_credentials"

    @property
    def renewable(self) -> bool:
        """True when a 401 may be cured by fetching a new token (OAuth modes)."""
        return self._static is None

    def attempt(self) -> tuple[AuthBase, str | None]:
        """The auth object for one attempt, and the access token it carries (to invalidate on a 401)."""
        if self._static is not None:
            return self._static, None
        token = self._current_token()
        return HeaderAuth("Authorization", f"Bearer {token}"), token

    def invalidate(self, used: str | None) -> None:
        """Forget *used* if it is still the current token; the next attempt fetches a new one."""
        with self._lock:
            if self._token is not None and self._token.value == used:
                self._token = None

    def _current_token(self) -> str:
        with self._lock:
            if self._failure is not None:
                # One refused token request is enough: the other threads fail the same way without asking.
                raise copy.copy(self._failure)
            if self._token is None or time.monotonic() >= self._token.expires_at:
                try:
                    self._token = self._new_token()
                except PreflightError as err:
                    self._failure = err
                    raise
            return self._token.value

    def _new_token(self) -> _Token:
        answer = self._fetch_token(self._form)
        value = answer.get("access_token")
        if not isinstance(value, str) or not value:
            raise UnexpectedResponseError(
                "The OAuth token answer from /oauth_token.do has no access_token: check that the instance URL"
                " is the ServiceNow instance itself and that the OAuth client is active."
            )
        try:
            lifetime = float(answer.get("expires_in", DEFAULT_TOKEN_LIFETIME))
        except (TypeError, ValueError):
            lifetime = DEFAULT_TOKEN_LIFETIME
        # Renew a little early (a tenth of the lifetime, at most 30 s) so a token never expires in flight.
        margin = min(30.0, max(lifetime, 0.0) / 10)
        return _Token(value, time.monotonic() + max(lifetime - margin, 0.0))
