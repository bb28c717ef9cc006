"""Every way talking to an instance can go wrong, as one exception tree.

Each exception's ``str()`` is a one-line diagnosis a person can act on: the cause, then the fix. No
exception text ever carries a credential (see :mod:`snow_preflight.redaction`).

::

    PreflightError
    ├── ConfigError                  settings that cannot work (bad URL, plain http to a remote host, ...)
    └── InstanceError                the instance could not give a usable answer
        ├── UnreachableError         DNS, connection refused, TLS, timeout
        ├── AuthenticationError      401: credentials refused
        ├── AccessDeniedError        403: the login may not read this
        ├── InvalidTableError        400 "Invalid table": app or plugin not installed
        ├── NotFoundError            404: no such record, or hidden by ACL
        ├── RateLimitedError         429 that outlasted Retry-After
        ├── ServerError              5xx that outlasted the retries or the time budget
        └── UnexpectedResponseError  not the Table API's JSON: a proxy or SSO page, malformed JSON, a redirect
            └── HibernatingError     a sleeping developer instance
"""

from __future__ import annotations


class PreflightError(Exception):
    """Root of every error this tool raises on purpose."""

    #: Short machine-readable name used in snapshots and reports ("unreachable", "denied", ...).
    kind = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(PreflightError):
    """The settings cannot work; fix the command line, environment or config file."""

    kind = "config"


class InstanceError(PreflightError):
    """The instance could not give a usable answer to one request."""

    kind = "instance"

    def __init__(self, message: str, *, status: int | None = None, url: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.url = url


class UnreachableError(InstanceError):
    kind = "unreachable"


class AuthenticationError(InstanceError):
    kind = "unauthenticated"


class AccessDeniedError(InstanceError):
    kind = "denied"


class InvalidTableError(InstanceError):
    kind = "invalid_table"


class NotFoundError(InstanceError):
    kind = "not_found"


class RateLimitedError(InstanceError):
    kind = "rate_limited"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = 429,
        url: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, url=url)
        self.retry_after = retry_after


class ServerError(InstanceError):
    kind = "server_error"


class UnexpectedResponseError(InstanceError):
    kind = "unexpected"


class HibernatingError(UnexpectedResponseError):
    kind = "hibernating"
