"""Typed views of the snapshot, so a check reads as a few plain asserts.

Everything here is a pure function of the snapshot and the expectations: no I/O. A view that needs a
source which could not be read raises :class:`~snow_preflight.judge.catalogue.CannotVerify` with the reason, which
makes the check's outcome ``error`` ("could not verify"), never ``failed``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any
from urllib.parse import quote

from snow_preflight.errors import CannotVerify
from snow_preflight.settings import Expectations
from snow_preflight.snapshot import Snapshot, Source, SourceStatus


@dataclass(frozen=True)
class Unavailable:
    """Stands in for the items of a parametrised check when they cannot be listed."""

    reason: str
    skip: bool = False  # True: nothing to check (skipped); False: could not read (error)


@dataclass(frozen=True)
class App:
    sys_id: str
    name: str
    scope: str
    version: str
    active: bool
    table: str  # sys_store_app (from the Store), sys_app (built on the instance), or sys_scope
    url: str


@dataclass(frozen=True)
class Grant:
    role: str
    how: str  # "direct", "through group <name>", "contained in role <name>", "inherited"
    state: str


@dataclass(frozen=True)
class RestMethod:
    sys_id: str
    function_name: str
    http_method: str
    endpoint: str
    mid_sys_id: str
    mid_name: str
    url: str

    def __str__(self) -> str:
        return self.function_name


@dataclass(frozen=True)
class MidRef:
    """A MID Server to check, as the methods or the settings name it."""

    name: str
    sys_id: str = ""

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class MidServer:
    sys_id: str
    name: str
    status: str
    validated: str
    last_refreshed: datetime | None
    version: str
    host_name: str
    url: str

    def __str__(self) -> str:
        return self.name


def _value(row: dict[str, Any], key: str) -> str:
    """A field as a string, whether it came raw or as a reference object."""
    value = row.get(key, "")
    if isinstance(value, dict):
        value = value.get("value", "")
    return "" if value is None else str(value)


def parse_time(text: str) -> datetime | None:
    """A ServiceNow ``YYYY-MM-DD HH:MM:SS`` value (UTC) as an aware datetime."""
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def why_unreadable(source: Source) -> str:
    """One sentence saying why *source* could not be fully read, and what to do."""
    if source.status is SourceStatus.FAILED:
        return source.error or f"{source.table} could not be read"
    return (
        f"{source.table}: the instance counts {source.total} matching row(s) but returned "
        f"{len(source.rows)}: the rest are hidden from this login by ACL. Run as a login that can read "
        f"{source.table} (admin, or a role its read ACL names) to verify."
    )


class View:
    """The snapshot as the checks see it."""

    def __init__(self, snapshot: Snapshot, expect: Expectations) -> None:
        self.snapshot = snapshot
        self.expect = expect

    def link(self, table: str, sys_id: str) -> str:
        """Deep link to a record's form: ``https://<instance>/<table>.do?sys_id=<id>``."""
        return f"{self.snapshot.instance}/{table}.do?sys_id={sys_id}"

    def list_link(self, table: str, query: str) -> str:
        """Deep link to a filtered list: ``https://<instance>/<table>_list.do?sysparm_query=<query>``."""
        return f"{self.snapshot.instance}/{table}_list.do?sysparm_query={quote(query)}"

    def readable(self, name: str) -> Source:
        """The source, when at least its visible rows can be trusted; else CannotVerify."""
        source = self.snapshot.source(name)
        if source.status is SourceStatus.FAILED or source.status is SourceStatus.HIDDEN:
            raise CannotVerify(why_unreadable(source))
        return source

    # -- the login and other accounts ---------------------------------------------------------------

    def account(self, source_name: str) -> dict[str, Any] | None:
        rows = self.readable(source_name).rows
        return rows[0] if rows else None

    def grants(self, source_name: str, role: str) -> list[Grant]:
        grants = []
        for row in self.readable(source_name).rows:
            if _value(row, "role.name") != role:
                continue
            grants.append(Grant(role=role, how=_how(row), state=_value(row, "state") or "active"))
        return grants

    # -- the app --------------------------------------------------------------------------------------

    def apps(self, scope: str) -> list[App]:
        apps = []
        for row in self.readable("apps").rows:
            if _value(row, "scope") != scope:
                continue
            table = _value(row, "sys_class_name") or "sys_scope"
            apps.append(
                App(
                    sys_id=_value(row, "sys_id"),
                    name=_value(row, "name"),
                    scope=scope,
                    version=_value(row, "version"),
                    active=_value(row, "active") == "true",
                    table=table,
                    url=self.link(table, _value(row, "sys_id")),
                )
            )
        return apps

    # -- REST message and methods --------------------------------------------------------------------

    def rest_messages(self) -> list[dict[str, Any]]:
        return list(self.readable("rest_message").rows)

    def methods(self) -> list[RestMethod]:
        return list(self._methods)

    @cached_property
    def _methods(self) -> tuple[RestMethod, ...]:
        return tuple(
            RestMethod(
                sys_id=_value(row, "sys_id"),
                function_name=_value(row, "function_name"),
                http_method=_value(row, "http_method"),
                endpoint=_value(row, "rest_endpoint"),
                mid_sys_id=_value(row, "use_mid_server"),
                mid_name=_value(row, "use_mid_server.name"),
                url=self.link("sys_rest_message_fn", _value(row, "sys_id")),
            )
            for row in self.readable("rest_methods").rows
        )

    # -- MID Servers ----------------------------------------------------------------------------------

    def mids(self) -> dict[str, MidServer]:
        """Every MID Server the login can see, by sys_id."""
        return self._mids

    @cached_property
    def _mids(self) -> dict[str, MidServer]:
        return {
            _value(row, "sys_id"): MidServer(
                sys_id=_value(row, "sys_id"),
                name=_value(row, "name"),
                status=_value(row, "status"),
                validated=_value(row, "validated"),
                last_refreshed=parse_time(_value(row, "last_refreshed")),
                version=_value(row, "version"),
                host_name=_value(row, "host_name"),
                url=self.link("ecc_agent", _value(row, "sys_id")),
            )
            for row in self.snapshot.source("mids").rows
        }

    def mid(self, sys_id: str = "", name: str = "") -> MidServer:
        """The MID Server with this sys_id (or name); CannotVerify when ACLs may hide it; KeyError if absent."""
        source = self.readable("mids")
        found = (
            self._mids.get(sys_id)
            if sys_id
            else next((m for m in self._mids.values() if m.name == name), None)
        )
        if found is not None:
            return found
        if source.hidden:
            raise CannotVerify(why_unreadable(source))
        raise KeyError(sys_id or name)

    def open_issues(self, mid: MidServer) -> list[dict[str, Any]]:
        return [row for row in self.readable("mid_issues").rows if _value(row, "mid_server") == mid.sys_id]

    def buildstamp(self) -> str | None:
        """``mid.buildstamp``, or None when this login cannot read it (non-admins see no properties)."""
        source = self.snapshot.source("properties")
        if not source.readable:
            return None
        for row in source.rows:
            if _value(row, "name") == "mid.buildstamp":
                return _value(row, "value")
        return None

    def probes(self, mid: MidServer) -> list[dict[str, Any]]:
        agent = f"mid.server.{mid.name}"
        return [row for row in self.readable("probes").rows if _value(row, "agent") == agent]

    # -- items of parametrised checks ----------------------------------------------------------------

    def method_items(self) -> list[RestMethod] | Unavailable:
        source = self.snapshot.source("rest_methods")
        if not source.readable:
            return Unavailable(why_unreadable(source))
        return self.methods() or Unavailable(f"{self.expect.rest_message} has no HTTP methods", skip=True)

    def role_items(self) -> list[str] | Unavailable:
        return list(self.expect.required_roles)

    def integration_role_items(self) -> list[str] | Unavailable:
        if self.expect.integration_user:
            return list(self.expect.required_roles)
        return Unavailable("no integration user named (--integration-user)", skip=True)

    def items(self, kind: str) -> Sequence[object] | Unavailable:
        """The items a check declared with ``each=kind`` runs for (one result row each)."""
        return ITEM_KINDS[kind](self)

    def mid_items(self) -> list[MidRef] | Unavailable:
        """The MID Servers to check: those the methods name, and the expected one."""
        names: dict[str, MidRef] = {}
        if self.expect.expected_mid:
            names[self.expect.expected_mid] = MidRef(self.expect.expected_mid)
        source = self.snapshot.source("rest_methods")
        if source.readable:
            mids = self.mids()
            for method in self.methods():
                if not method.mid_sys_id:
                    continue
                mid = mids.get(method.mid_sys_id)
                name = mid.name if mid else (method.mid_name or method.mid_sys_id)
                names[name] = MidRef(name, method.mid_sys_id)
        elif not names:
            return Unavailable(why_unreadable(source))
        if not names:
            return Unavailable("no HTTP method of the REST message names a MID Server", skip=True)
        return list(names.values())


def _how(row: dict[str, Any]) -> str:
    if _value(row, "inherited") != "true":
        return "direct"
    group = _value(row, "granted_by.name") or _value(row, "granted_by")
    if group:
        return f"through group {group}"
    parent = _value(row, "included_in_role.role.name") or _value(row, "included_in_role")
    if parent:
        return f"contained in role {parent}"
    return "inherited"


#: ``each=`` names → the view's list of items for them.
ITEM_KINDS: dict[str, Callable[[View], Sequence[object] | Unavailable]] = {
    "role": View.role_items,
    "integration_role": View.integration_role_items,
    "method": View.method_items,
    "mid": View.mid_items,
}
