"""Where the instance is and how to log in to it: :class:`ConnectionSettings`.

A frozen dataclass (converted and checked on creation, see :mod:`snow_preflight.values`), built by :mod:`snow_preflight.settings` from flags, environment and config file and
handed to :class:`snow_preflight.servicenow.client.ServiceNowClient`. Validation raises :class:`~snow_preflight.errors.ConfigError`
for what a person must fix: an unusable URL, plain ``http://`` to a
remote host, a timeout that is not a positive number, a CA bundle, client certificate or key that cannot be
read or is not what its flag says. A model without credentials is allowed (a replayed bundle has none); a
half-given credential is refused by :meth:`ConnectionSettings.auth_mode`, which the settings of a run call.
Messages name the CLI flag and the ``SN_*`` variable; the pytest plugin shows the flags as ``--sn-*``.

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
import math
import os
import re
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from snow_preflight.errors import ConfigError
from snow_preflight.redaction import Redactor
from snow_preflight.values import Secret, coerce

AuthMode = Literal["basic", "oauth_password", "oauth_client_credentials", "bearer", "api_key"]

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_SHORT_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_HOSTED_SUFFIX = ".service-now.com"
_HOST = re.compile(
    r"^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*\.?$"
)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


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
    if any(char.isspace() or not char.isprintable() for char in text):
        raise ConfigError(
            "The instance URL contains a space or a control character: use e.g. https://acme.service-now.com."
        )
    if "://" in text and not _SCHEME.match(text):
        raise ConfigError(
            "The instance URL's scheme is not a scheme (letters before '://'): use e.g."
            " https://acme.service-now.com."
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
        raise ConfigError("The instance URL names no host: use e.g. https://acme.service-now.com.")
    if not (_HOST.match(host) or _is_ip(host)):
        # Only the host is quoted: the rest of the text may carry a password typed into the URL.
        raise ConfigError(
            f"The instance URL names an invalid host {host!r} (letters, digits, '-' and '.' only): use e.g."
            " https://acme.service-now.com."
        )
    if scheme not in ("https", "http"):
        raise ConfigError(f"Instance URL scheme {scheme!r} is not supported: use https://{parts.netloc}.")
    if scheme == "http" and not is_loopback(host):
        raise ConfigError(
            f"Plain http to {host} would send the credentials unencrypted: use https://{parts.netloc}"
            " (http is allowed only for loopback hosts such as 127.0.0.1 or localhost)."
        )
    return f"{scheme}://{parts.netloc.lower()}"


def _readable(path: Path, flag: str, what: str) -> None:
    """*path* can be opened and read by this process; a ConfigError saying why not, otherwise."""
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except FileNotFoundError:
        raise ConfigError(f"{flag} {path} does not exist: give the path of the {what}.") from None
    except IsADirectoryError:
        raise ConfigError(f"{flag} {path} is a folder: give the path of the {what} file.") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(
            f"{flag} {path} cannot be read ({reason}): give a {what} this user can read."
        ) from None


def _check_tls_files(ca_bundle: Path | None, cert: Path | None, key: Path | None) -> None:
    """The TLS files exist, can be read and hold what their flag says, before any request is sent.

    ``ssl`` loads them as ``requests`` later will, so a wrong file is named here, not diagnosed as an
    untrusted instance. A key is never decrypted: requests cannot use a key that has a passphrase.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca_bundle is not None and not (ca_bundle.is_dir() and os.access(ca_bundle, os.R_OK | os.X_OK)):
        # A folder of hashed certificates (c_rehash) is a CA bundle too, for requests.
        _readable(ca_bundle, "--ca-bundle", "CA certificate file (PEM)")
        try:
            context.load_verify_locations(cafile=str(ca_bundle))
        except (ssl.SSLError, ValueError):
            raise ConfigError(
                f"--ca-bundle {ca_bundle} holds no PEM certificate: give the CA certificate(s) as PEM text"
                " ('-----BEGIN CERTIFICATE-----')."
            ) from None
    if cert is None:
        return
    _readable(cert, "--client-cert", "client certificate (PEM)")
    if key is not None:
        _readable(key, "--client-key", "private key (PEM)")
    key_file = key or cert
    try:
        context.load_cert_chain(str(cert), str(key) if key else None, password=lambda: b"")
    except ssl.SSLError as exc:
        if b"ENCRYPTED" in key_file.read_bytes():
            flag = "--client-key" if key else "--client-cert"
            message = (
                f"{flag} {key_file} holds an encrypted private key, and requests cannot use a key with a"
                f" passphrase: decrypt it (openssl pkey -in {key_file} -out client-key.pem) and pass that"
                " with --client-key."
            )
        elif exc.reason == "KEY_VALUES_MISMATCH":
            message = (
                f"--client-key {key} is not the private key of --client-cert {cert}: pass the matching key."
            )
        elif key is None:
            message = (
                f"--client-cert {cert} is not a PEM certificate followed by its private key: pass the key"
                " with --client-key, or both in one PEM file."
            )
        else:
            message = f"--client-cert {cert} and --client-key {key} are not a PEM certificate and its key."
        raise ConfigError(message) from None


def _secret(value: Secret | None) -> str | None:
    return value.get_secret_value() if value is not None else None


@dataclass(frozen=True)
class ConnectionSettings:
    """How to reach one instance and log in. Secrets are :class:`Secret`; nothing here is ever printed raw."""

    base_url: str
    username: str | None = None
    password: Secret | None = None
    client_id: str | None = None
    client_secret: Secret | None = None
    token: Secret | None = None
    api_key: Secret | None = None
    client_cert: Path | None = None
    client_key: Path | None = None
    ca_bundle: Path | None = None
    verify_tls: bool = True
    timeout: float = 10.0
    time_budget: float = 60.0
    max_retries: int = 3

    def __post_init__(self) -> None:
        if not isinstance(self.base_url, str):
            raise ConfigError("The instance URL must be text, e.g. 'acme' or 'https://acme.service-now.com'.")
        object.__setattr__(self, "base_url", normalise_base_url(self.base_url))
        # A blank user name or secret is no user name or secret (an empty SN_* variable, a blank config key).
        for name in ("username", "client_id"):
            value = getattr(self, name)
            if isinstance(value, str) and not value.strip():
                object.__setattr__(self, name, None)
        for name in ("password", "client_secret", "token", "api_key"):
            value = getattr(self, name)
            if isinstance(value, Secret):
                value = value.get_secret_value()
            object.__setattr__(self, name, None if isinstance(value, str) and not value else value)
        coerce(self)
        self._coherent()

    def _coherent(self) -> None:
        # "nan" and "inf" parse as floats; neither is a number of seconds a request can wait.
        for flag, env, value in (
            ("--timeout", "SN_TIMEOUT", self.timeout),
            ("--time-budget", "SN_TIME_BUDGET", self.time_budget),
        ):
            if not (math.isfinite(value) and value > 0):
                raise ConfigError(f"{flag} ({env}) must be a number of seconds above 0 (got {value}).")
        if self.max_retries < 0:
            raise ConfigError(f"--max-retries (SN_MAX_RETRIES) must be 0 or more (got {self.max_retries}).")
        if self.client_key is not None and self.client_cert is None:
            raise ConfigError("--client-key was given without --client-cert: pass the certificate too.")
        _check_tls_files(self.ca_bundle, self.client_cert, self.client_key)

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
            " (--client-id/--client-secret), a bearer --token (SN_ACCESS_TOKEN) or an --api-key (SN_API_KEY)."
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
