"""Every exception of the engine, as one tree.

Each exception's ``str()`` is a one-line diagnosis a person can act on: the cause, then the fix. No
exception text ever carries a credential (see :mod:`snow_preflight.redaction`).

::

    PreflightError
    ├── ConfigError                  settings that cannot work (bad URL, missing password, ...): exit 4
    │   ├── InvalidSettingError      one setting's value is not of its kind (a number, a path, ...): exit 4
    │   └── CatalogueError           a check's metadata is invalid (ours or a site's): exit 4
    ├── BundleError                  a support bundle that cannot be replayed: exit 4
    ├── ReportFormatError            a report.json this version cannot read
    ├── ReportWriteError             the reports could not be written: exit 3
    ├── CannotVerify                 a check could not see what it needs: outcome "error", never "failed"
    │   └── Withheld                 a field the instance did not return to this login (field ACL)
    ├── FixRefusedError              fix or attach will not go on (no usable MID Server, a protected record,
    │                                a stale or foreign undo file, no reports to attach): exit 4
    └── InstanceError                the instance could not give a usable answer
        ├── UnreachableError         DNS, connection refused, TLS, timeout
        ├── AuthenticationError      401: credentials refused
        ├── AccessDeniedError        403: the login may not read this
        ├── InvalidTableError        400 "Invalid table": app or plugin not installed
        ├── NotFoundError            404: no such record, or hidden by ACL
        ├── RateLimitedError         429 that outlasted Retry-After
        ├── ServerError              5xx that outlasted the retries or the time budget
        ├── UnexpectedResponseError  not the Table API's JSON: a proxy or SSO page, malformed JSON, a redirect
        │   └── HibernatingError     a sleeping developer instance
        └── WriteRefusedError        a write (fix, attach) answered 4xx: denied by ACL (403), no such record

    DuplicateResultError             (a RuntimeError, not a diagnosis) two results with one id: a bug, exit 3
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


class InvalidSettingError(ConfigError):
    """One setting's value cannot be what its field is (a number, a path, one of some words).

    *field* is the settings field; :func:`snow_preflight.settings.resolve` names it as the person gave it
    (``--timeout (SN_TIMEOUT)``). The value itself is never quoted: it may be a secret.
    """

    kind = "config"

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"invalid settings: {field or 'value'}: {problem}")
        self.field = field
        self.problem = problem


class CatalogueError(ConfigError):
    """A check's metadata is invalid: a bug in the checklist (or a site's checks), found before any read."""

    kind = "catalogue"


class BundleError(PreflightError):
    """The bundle cannot be replayed: the message says why and what to do."""

    kind = "bundle"


class ReportFormatError(PreflightError, ValueError):
    """The text is not a report.json this version of snow-preflight can read."""

    kind = "report_format"


class ReportWriteError(PreflightError):
    """The reports could not be written; the message names the folder and the OS's reason."""

    kind = "report_write"


class CannotVerify(PreflightError):  # noqa: N818 - reads as a statement: raise CannotVerify("table denied")
    """A check could not see what it needs: its result is ``error`` ("could not verify"), never ``failed``.

    *fix* holds the steps that would let the login see it (a role, an ACL); they replace the check's own
    remediation, which is about the configuration and would be the wrong advice here.
    """

    kind = "cannot_verify"

    def __init__(self, message: str, fix: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.fix = tuple(fix)


class Withheld(CannotVerify):
    """A field the instance withheld from this login: the key is absent from the row (field ACL)."""

    kind = "withheld"

    def __init__(self, table: str, field: str) -> None:
        super().__init__(
            f"the login cannot read field `{field}` of `{table}`: field ACL (or the field does not exist "
            "in this release)",
            fix=(
                f"Find the read ACL of {table}.{field}: System Security > Access Control (ACL), filter "
                f"Name = {table}.{field.split('.', 1)[0]} (and {table}.*), Operation = read.",
                "Grant the pre-flight login a role that ACL requires (or run the pre-flight as a login that "
                "holds it, such as admin), then re-run the pre-flight.",
            ),
        )
        self.table = table
        self.field = field


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


class WriteRefusedError(InstanceError):
    """A write of fix or attach answered 4xx; *said* is the instance's own error text (may be empty).

    The fix package turns it into a message naming what it was writing and what to do.
    """

    kind = "write_refused"

    def __init__(
        self, message: str, *, status: int | None = None, url: str | None = None, said: str = ""
    ) -> None:
        super().__init__(message, status=status, url=url)
        self.said = said


class FixRefusedError(PreflightError):
    """fix or attach will not go on, and has written nothing: the message names the cause and the fix."""

    kind = "fix_refused"


class DuplicateResultError(RuntimeError):
    """Two results with one id: a bug in the engine or a check's item list (internal error, exit 3).

    Not a :class:`PreflightError`: those are diagnoses of the instance or the settings, this is a bug.
    """
