"""Read-only access to one ServiceNow instance over its REST API.

::

    with ServiceNowClient(conn, log) as client:
        read = client.table("ecc_agent", query="status=Up", fields=("sys_id", "name", "validated"))
        read.rows, read.total, read.hidden, read.masked_fields

Only GET reaches the instance (plus the OAuth token POST): every read goes through one private path in
:class:`~snow_preflight.servicenow.transport.Transport`, and no generic request method is exposed. Failures are the
exceptions of :mod:`snow_preflight.errors`, with redacted one-line messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal

from snow_preflight.errors import ConfigError, UnexpectedResponseError
from snow_preflight.redaction import Redactor
from snow_preflight.servicenow.answer import Target
from snow_preflight.servicenow.connection import ConnectionSettings
from snow_preflight.servicenow.exchange import ExchangeLog
from snow_preflight.servicenow.transport import OnWait, Reply, Transport

DisplayValue = Literal["false", "true", "all"]

_TABLE = re.compile(r"^[A-Za-z0-9_$]+$")
_SYS_ID = re.compile(r"^[A-Za-z0-9_.-]+$")
_ORDERBY = re.compile(r"(^|\^)ORDERBY", re.IGNORECASE)
#: A next link that keeps coming back means a broken server; stop rather than loop.
_MAX_PAGES = 10_000


@dataclass
class TableRead:
    """The rows of one table read, and what the answer says about rows and fields we could not see."""

    table: str
    rows: list[dict[str, Any]]
    total: int | None  # X-Total-Count of the first page: ACL-blind, counts rows we may not be shown
    pages: int
    fields: tuple[str, ...] = ()
    truncated: bool = False  # stopped at max_rows: total - rows is then not a sign of hiding
    masked_fields: list[str] = field(default_factory=list)

    @property
    def hidden(self) -> int:
        """Rows counted by X-Total-Count but not returned: hidden by ACL, never to be read as absent."""
        if self.total is None or self.truncated:
            return 0
        return max(self.total - len(self.rows), 0)


@dataclass(frozen=True)
class GroupCount:
    """One group of an Aggregate API count: the group-by field values and how many rows have them."""

    values: dict[str, str]
    count: int


def _check_name(value: str, pattern: re.Pattern[str], what: str) -> str:
    if not pattern.match(value):
        raise ConfigError(f"{what} {value!r} is not a valid ServiceNow name (letters, digits, '_' only).")
    return value


def _ordered(query: str) -> str:
    """*query* with ``ORDERBYsys_id`` appended unless it orders itself: paging is unstable without it."""
    if _ORDERBY.search(query):
        return query
    return f"{query}^ORDERBYsys_id" if query else "ORDERBYsys_id"


def _masked(fields: Iterable[str], rows: list[dict[str, Any]]) -> list[str]:
    """Requested fields absent from every returned row: masked by a field ACL, or misspelt."""
    if not rows:
        return []
    return [name for name in fields if not any(name in row for row in rows)]


def _count(value: Any, path: str) -> int:
    try:
        return int(value["stats"]["count"])
    except (KeyError, TypeError, ValueError):
        raise UnexpectedResponseError(
            f"{path} answered without stats.count: not the ServiceNow Aggregate API — check the instance URL."
        ) from None


class ServiceNowClient:
    """A read-only ServiceNow REST client; a context manager; safe to share between threads."""

    def __init__(
        self,
        conn: ConnectionSettings,
        log: ExchangeLog | None = None,
        *,
        pool_size: int = 16,
        backoff: float = 0.5,
        on_wait: OnWait | None = None,
    ) -> None:
        """*pool_size* ≥ the number of threads calling at once; *backoff* is the first 5xx retry delay;
        *on_wait* is told each time a read sleeps before retrying (what for, how many seconds)."""
        self.conn = conn
        self.log = log if log is not None else ExchangeLog()
        self._transport = Transport(conn, self.log, pool_size=pool_size, backoff=backoff, on_wait=on_wait)

    def __enter__(self) -> ServiceNowClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._transport.close()

    def authenticate(self) -> None:
        """Obtain the OAuth token now (no-op for the other modes), so parallel reads need not race for it."""
        self._transport.authenticate()

    @property
    def redactor(self) -> Redactor:
        """The redactor, including OAuth tokens fetched so far (callers redact what they store with it)."""
        return self._transport.redactor

    # -- reads -----------------------------------------------------------------------------------------

    def table(
        self,
        table: str,
        *,
        query: str = "",
        fields: Iterable[str] = (),
        display_value: DisplayValue = "false",
        exclude_reference_link: bool = True,
        page_size: int = 1000,
        max_rows: int | None = None,
        source: str | None = None,
    ) -> TableRead:
        """Every row of *table* matching *query*, following ``Link: rel="next"`` through short pages."""
        _check_name(table, _TABLE, "Table")
        wanted = tuple(fields)
        if page_size < 1 or (max_rows is not None and max_rows < 0):
            raise ConfigError(f"page_size must be ≥ 1 and max_rows ≥ 0 (got {page_size}, {max_rows}).")
        limit = page_size if max_rows is None else max(min(page_size, max_rows), 1)
        path = f"/api/now/table/{table}"
        params = {
            "sysparm_query": _ordered(query),
            "sysparm_display_value": display_value,
            "sysparm_exclude_reference_link": "true" if exclude_reference_link else "false",
            "sysparm_limit": str(limit),
            "sysparm_offset": "0",
        }
        if wanted:
            params["sysparm_fields"] = ",".join(wanted)
        rows: list[dict[str, Any]] = []
        total: int | None = None
        pages = 0
        seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
        while True:
            reply = self._get(Target(path, table=table), params, source)
            pages += 1
            if pages == 1:
                total = reply.total
            rows.extend(self._rows(reply, path))
            if max_rows is not None and len(rows) >= max_rows:
                truncated = len(rows) > max_rows or reply.next_page is not None
                return self._read(table, rows[:max_rows], total, pages, wanted, truncated)
            following = reply.next_page or self._next_by_count(params, reply, path)
            if following is None:
                return self._read(table, rows, total, pages, wanted, False)
            key = (following[0], tuple(sorted(following[1].items())))
            if key in seen or pages >= _MAX_PAGES:
                raise UnexpectedResponseError(
                    f"/api/now/table/{table} keeps answering the same next page: the pagination is broken,"
                    " possibly by a proxy rewriting Link headers; re-run with a larger page size."
                )
            seen.add(key)
            path, params = following

    def record(
        self,
        table: str,
        sys_id: str,
        *,
        fields: Iterable[str] = (),
        display_value: DisplayValue = "false",
        exclude_reference_link: bool = True,
        source: str | None = None,
    ) -> dict[str, Any]:
        """One record by sys_id; ``NotFoundError`` when it does not exist or an ACL hides it."""
        _check_name(table, _TABLE, "Table")
        _check_name(sys_id, _SYS_ID, "sys_id")
        path = f"/api/now/table/{table}/{sys_id}"
        params = {
            "sysparm_display_value": display_value,
            "sysparm_exclude_reference_link": "true" if exclude_reference_link else "false",
        }
        wanted = tuple(fields)
        if wanted:
            params["sysparm_fields"] = ",".join(wanted)
        reply = self._get(Target(path, table=table, sys_id=sys_id), params, source)
        if not isinstance(reply.result, dict):
            raise UnexpectedResponseError(
                f"{path} answered a 'result' that is not one record: check the instance URL."
            )
        return reply.result

    def current_user(self, *, source: str | None = None) -> dict[str, Any]:
        """Who we are logged in as: ``/api/now/ui/user/current_user`` (key ``user_sys_id``)."""
        path = "/api/now/ui/user/current_user"
        reply = self._get(Target(path), {}, source)
        if not isinstance(reply.result, dict) or "user_sys_id" not in reply.result:
            raise UnexpectedResponseError(f"{path} answered without user_sys_id: check the instance URL.")
        return reply.result

    def stats(
        self, table: str, *, query: str = "", group_by: Iterable[str] = (), source: str | None = None
    ) -> int | list[GroupCount]:
        """Aggregate API count: an int, or one :class:`GroupCount` per group when *group_by* is given."""
        _check_name(table, _TABLE, "Table")
        path = f"/api/now/stats/{table}"
        params = {"sysparm_count": "true"}
        if query:
            params["sysparm_query"] = query
        groups = tuple(group_by)
        if groups:
            params["sysparm_group_by"] = ",".join(groups)
        result = self._get(Target(path, table=table), params, source).result
        if not groups:
            return _count(result, path)
        if isinstance(result, dict):  # an instance with no matching rows may answer one ungrouped object
            return [] if _count(result, path) == 0 else [GroupCount({}, _count(result, path))]
        if not isinstance(result, list):
            raise UnexpectedResponseError(f"{path} answered a 'result' that is not a list of groups.")
        out: list[GroupCount] = []
        for item in result:
            fields = item.get("groupby_fields", []) if isinstance(item, dict) else []
            values = {str(f.get("field")): str(f.get("value", "")) for f in fields if isinstance(f, dict)}
            out.append(GroupCount(values, _count(item, path)))
        return out

    # -- the single way out ------------------------------------------------------------------------------

    def _get(self, target: Target, params: dict[str, str], source: str | None) -> Reply:
        return self._transport.get(target, params, source=source)

    @staticmethod
    def _rows(reply: Reply, path: str) -> list[dict[str, Any]]:
        if not isinstance(reply.result, list) or not all(isinstance(r, dict) for r in reply.result):
            raise UnexpectedResponseError(f"{path} answered a 'result' that is not a list of records.")
        return reply.result

    @staticmethod
    def _next_by_count(params: dict[str, str], reply: Reply, path: str) -> tuple[str, dict[str, str]] | None:
        """Without a Link header, page on by offset while X-Total-Count says rows remain."""
        if reply.linked or reply.total is None:
            return None
        offset = int(params.get("sysparm_offset", "0")) + int(params.get("sysparm_limit", "0"))
        if offset >= reply.total:
            return None
        return path, {**params, "sysparm_offset": str(offset)}

    @staticmethod
    def _read(
        table: str,
        rows: list[dict[str, Any]],
        total: int | None,
        pages: int,
        wanted: tuple[str, ...],
        cut: bool,
    ) -> TableRead:
        return TableRead(table, rows, total, pages, wanted, cut, _masked(wanted, rows))
