"""The snapshot's sources as the views read them: visible, complete, or could-not-verify.

:class:`SnapshotView` is the bottom layer of :class:`~snow_preflight.judge.views.View`: it holds the
snapshot privately (checks never reach its rows) and turns an unreadable source into
:class:`~snow_preflight.errors.CannotVerify` with the steps that would let the login see it.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from snow_preflight.errors import CannotVerify
from snow_preflight.judge.records import App, Record, form_link
from snow_preflight.judge.visibility import visibility_fix
from snow_preflight.settings import Expectations
from snow_preflight.snapshot import Snapshot, Source, SourceStatus


def why_unreadable(source: Source) -> str:
    """One sentence saying why *source* could not be (fully) read."""
    if source.status is SourceStatus.FAILED:
        return source.error or f"{source.table} could not be read"
    return (
        f"{source.table}: the instance counts {source.total} matching row(s) but returned "
        f"{len(source.rows)}: the rest are hidden from this login by ACL"
    )


def unreadable(source: Source) -> CannotVerify:
    """Could-not-verify for *source*, with the visibility steps when an ACL is the cause."""
    acl = source.status is not SourceStatus.FAILED or source.error_kind in ("denied", "not_found")
    return CannotVerify(why_unreadable(source), visibility_fix(source.table) if acl else ())


def truncated(source: Source) -> bool:
    """The read stopped at its own row limit: rows beyond it were not read (not hidden, not absent)."""
    return source.total is not None and source.total > len(source.rows) + source.hidden


class SnapshotView:
    """The snapshot, its links and its sources; the checks' views are built on it."""

    def __init__(self, snapshot: Snapshot, expect: Expectations) -> None:
        self._snapshot = snapshot
        self.expect = expect

    @property
    def instance(self) -> str:
        return self._snapshot.instance

    @property
    def login(self) -> str:
        return self._snapshot.login

    @property
    def taken_at(self) -> datetime:
        return self._snapshot.taken_at

    def link(self, table: str, sys_id: str) -> str:
        """Deep link to a record's form: ``https://<instance>/<table>.do?sys_id=<id>``."""
        return form_link(self.instance, table, sys_id)

    def list_link(self, table: str, query: str) -> str:
        """Deep link to a filtered list: ``https://<instance>/<table>_list.do?sysparm_query=<query>``."""
        return f"{self.instance}/{table}_list.do?sysparm_query={quote(query)}"

    # -- sources -----------------------------------------------------------------------------------------

    def _source(self, name: str) -> Source:
        try:
            return self._snapshot.sources[name]
        except KeyError:
            raise CannotVerify(
                f"this snapshot has no read named {name!r}: it was taken by another version of "
                "snow-preflight; run the pre-flight against the instance again"
            ) from None

    def _visible(self, name: str) -> Source:
        """The source when at least some of its rows came back (a partial list is the caller's to judge)."""
        source = self._source(name)
        if source.status in (SourceStatus.FAILED, SourceStatus.HIDDEN):
            raise unreadable(source)
        return source

    def records(self, name: str) -> list[Record]:
        """Every row of a read (a site check's own, declared with ``reads=``); CannotVerify if any is unseen."""
        source = self._source(name)
        if source.status is not SourceStatus.OK:
            raise unreadable(source)
        return [Record.of(source.table, row) for row in source.rows]

    # -- the app --------------------------------------------------------------------------------------------

    def apps(self, scope: str, *, seen_only: bool = False) -> list[App]:
        """Applications with *scope*; CannotVerify when none is visible but rows are hidden (unless *seen_only*)."""
        source = self._visible("apps")
        apps = []
        for row in source.rows:
            record = Record.of(source.table, row)
            if record.get("scope") == scope:
                table = record.get("sys_class_name") or "sys_scope"
                apps.append(App(record, self.link(table, record.sys_id)))
        if not apps and source.hidden and not seen_only:
            raise unreadable(source)
        return apps
