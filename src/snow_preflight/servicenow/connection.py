"""Where the instance is and how to log in to it: :class:`ConnectionSettings`.

A frozen pydantic model, built by :mod:`snow_preflight.settings` from flags, environment and config file and
handed to :class:`snow_preflight.servicenow.client.ServiceNowClient`. Validation raises :class:`~snow_preflight.errors.ConfigError`
(not pydantic's ``ValidationError``) for what a person must fix: an unusable URL, plain ``http://`` to a
remote host, a half-given credential.

Authentication precedence (:meth:`ConnectionSettings.auth_mode`), most specific first:

1. ``token``                          → ``bearer`` (an access token obtained elsewhere)
2. ``api_key``                        → ``api_key`` (``x-sn-apikey`` header)
3. ``client_id`` + ``client_secret``  → ``oauth_password`` when ``username`` + ``password`` are also set,
                                        else ``oauth_client_credentials``
4. ``username`` + ``password``        → ``basic``

A client certificate (``client_cert``/``client_key``) adds mutual TLS to whichever mode is chosen; it is not
a login on its own.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator, model_validator

from snow_preflight.errors import ConfigError
from snow_preflight.redaction import Redactor

AuthMode = Literal["basic", "oauth_password", "oauth_client_credentials", "bearer", "api_key"]

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_SHORT_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_HOSTED_SUFFIX = ".service-now.com"


def is_loopback(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ::1: the only hosts plain http may reach."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalise_base_url(raw: str) -> str:
    """``acme`` → ``https://acme.service-now.com``; scheme added, path/query/trailing slash dropped."""
    text = raw.strip()
    if not text:
        raise ConfigError(
            "No instance given: set --instance (or SN_HOST) to e.g. 'acme' or 'acme.service-now.com'."
        )
    if not _SCHEME.match(text):
        bare = text.split("/", 1)[0].lower()
        if _SHORT_NAME.match(bare) and not is_loopback(bare):
            text = f"https://{bare}{_HOSTED_SUFFIX}"
        else:
            text = f"https://{text}"
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        _ = parts.port  # raises ValueError for a non-numeric or out-of-range port
    except ValueError:
        # The raw text is not echoed: it may carry a password typed into the URL.
        message = (
            "The instance URL cannot be parsed (bad host or port): use e.g. https://acme.service-now.com."
        )
        raise ConfigError(message) from None
    scheme = parts.scheme.lower()
    if parts.username is not None or parts.password is not None:
        raise ConfigError(
            "The instance URL carries a user name or password: remove it from the URL and pass the"
            " credentials as --username/--password (or SN_USERNAME/SN_PASSWORD)."
        )
    if not host:
        raise ConfigError(f"Instance URL {raw!r} names no host: use e.g. https://acme.service-now.com.")
    if scheme not in ("https", "http"):
        raise ConfigError(f"Instance URL scheme {scheme!r} is not supported: use https://{parts.netloc}.")
    if scheme == "http" and not is_loopback(host):
        raise ConfigError(
            f"Plain http to {host} would send the credentials unencrypted: use https://{parts.netloc}"
            " (http is allowed only for loopback hosts such as 127.0.0.1 or localhost)."
        )
    return f"{scheme}://{parts.netloc.lower()}"


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


class ConnectionSettings(BaseModel):
    """How to reach one instance and log in. Secrets are ``SecretStr``; nothing here is ever printed raw."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str
    username: str | None = None
    password: SecretStr | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    token: SecretStr | None = None
    api_key: SecretStr | None = None
    client_cert: Path | None = None
    client_key: Path | None = None
    ca_bundle: Path | None = None
    verify_tls: bool = True
    timeout: float = 10.0
    time_budget: float = 60.0
    max_retries: int = 3

    @field_validator("base_url", mode="before")
    @classmethod
    def _normalise(cls, value: object) -> str:
        if not isinstance(value, str):
            raise ConfigError("The instance URL must be text, e.g. 'acme' or 'https://acme.service-now.com'.")
        return normalise_base_url(value)

    @field_validator("username", "client_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("password", "client_secret", "token", "api_key", mode="before")
    @classmethod
    def _blank_secret_is_none(cls, value: object) -> object:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        return None if isinstance(value, str) and not value else value

    @model_validator(mode="after")
    def _coherent(self) -> ConnectionSettings:
        if self.timeout <= 0:
            raise ConfigError(f"--timeout must be more than 0 seconds (got {self.timeout}).")
        if self.time_budget <= 0:
            raise ConfigError(f"--time-budget must be more than 0 seconds (got {self.time_budget}).")
        if self.max_retries < 0:
            raise ConfigError(f"--max-retries must be 0 or more (got {self.max_retries}).")
        if self.client_key is not None and self.client_cert is None:
            raise ConfigError("--client-key was given without --client-cert: pass the certificate too.")
        return self

    def auth_mode(self) -> AuthMode:
        """The login method, by the precedence in the module docstring; ``ConfigError`` if none is usable."""
        if self.token is not None:
            return "bearer"
        if self.api_key is not None:
            return "api_key"
        if self.client_id is not None or self.client_secret is not None:
            if self.client_id is None or self.client_secret is None:
                missing = (
                    "--client-secret (SN_CLIENT_SECRET)" if self.client_id else "--client-id (SN_CLIENT_ID)"
                )
                raise ConfigError(f"OAuth needs both a client id and a client secret: add {missing}.")
            if self.username is None and self.password is None:
                return "oauth_client_credentials"
            self._require_user_and_password("the OAuth password grant")
            return "oauth_password"
        if self.username is not None or self.password is not None:
            self._require_user_and_password("Basic authentication")
            return "basic"
        raise ConfigError(
            "No credentials: give --username and --password (SN_USERNAME/SN_PASSWORD), an OAuth client"
            " (--client-id/--client-secret), a bearer --token or an --api-key."
        )

    def _require_user_and_password(self, what: str) -> None:
        if self.username is None:
            raise ConfigError(f"{what} needs a user name: add --username (SN_USERNAME).")
        if self.password is None:
            raise ConfigError(f"{what} needs a password: add --password (SN_PASSWORD).")

    def redactor(self) -> Redactor:
        """A redactor that knows every secret here, and the Basic ``user:password`` pair."""
        return Redactor(
            {
                "password": _secret(self.password),
                "client_secret": _secret(self.client_secret),
                "token": _secret(self.token),
                "api_key": _secret(self.api_key),
            },
            username=self.username,
        )
